// Package vmi is the VirtualMachineInstance controller: it creates one launcher
// pod per VMI (rendered by launcherpod), drives the phases Pending → Scheduling →
// Scheduled, fails VMIs whose pod fails or vanishes before virt-handler takes
// over, and removes the pod when the VMI goes away. It reports the VMI's claims
// (status.volumeStatus) and DataVolumes (condition DataVolumesReady, the pod
// waiting for them) with the pure function ObserveStorage. Decisions are the pure function
// Decide; the controller only fetches, decides and applies. It must not import the
// other controllers.
package vmi
