package unsupported

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	virtv1 "kvirt.io/api/core/v1"
)

// repoRoot is the repository, from this package's directory.
const repoRoot = "../../../.."

// implemented names, for each leaf field kvirt does implement, the function
// that does it ("file:Func" from the repository root). An implemented entry
// covers exactly its leaf, so a field added below it needs its own decision.
var implemented = map[string][]string{
	"pkg/virt-controller/launcherpod/pod.go:Render": {"spec.affinity", "spec.dnsConfig", "spec.dnsPolicy",
		"spec.nodeSelector", "spec.priorityClassName", "spec.schedulerName", "spec.serviceAccountName", "spec.subdomain",
		"spec.tolerations", "spec.topologySpreadConstraints"},
	"pkg/virt-launcher/credentials/desired.go:Read": {
		"spec.accessCredentials[*].sshPublicKey.propagationMethod.qemuGuestAgent.users",
		"spec.accessCredentials[*].sshPublicKey.source.secret.secretName",
		"spec.accessCredentials[*].userPassword.propagationMethod.qemuGuestAgent",
		"spec.accessCredentials[*].userPassword.source.secret.secretName"},
	"pkg/virt-controller/launcherpod/pod.go:hostname":                       {"spec.hostname"},
	"pkg/virt-controller/launcherpod/pod.go:gracePeriod":                    {"spec.terminationGracePeriodSeconds"},
	"pkg/virt-controller/launcherpod/consolelog.go:SerialConsoleLogEnabled": {"spec.domain.devices.logSerialConsole"},
	"pkg/virt-controller/launcherpod/resources.go:computeResources": {"spec.domain.resources.limits",
		"spec.domain.resources.requests"},
	"pkg/virt-controller/launcherpod/resources.go:MemoryOverhead": {"spec.domain.memory.reservedOverhead.addedOverhead"},
	"pkg/virt-controller/launcherpod/images.go:imageContainers": {"spec.volumes[*].containerDisk.image",
		"spec.volumes[*].containerDisk.imagePullPolicy", "spec.volumes[*].containerDisk.imagePullSecret",
		"spec.volumes[*].containerDisk.path", "spec.domain.firmware.kernelBoot.container.image",
		"spec.domain.firmware.kernelBoot.container.imagePullPolicy", "spec.domain.firmware.kernelBoot.container.imagePullSecret"},
	"pkg/virt-launcher/hostdisks/hostdisks.go:Resolve": {"spec.domain.firmware.kernelBoot.container.initrdPath",
		"spec.domain.firmware.kernelBoot.container.kernelPath"},
	"pkg/virt-launcher/hostdisks/hostdisks.go:resolveVolume": {"spec.volumes[*].name"},
	"pkg/virt-launcher/hostdisks/hostdisks.go:emptyDisk":     {"spec.volumes[*].emptyDisk.capacity"},
	"pkg/virt-controller/launcherpod/volumes.go:claimOf": {"spec.volumes[*].persistentVolumeClaim.claimName",
		"spec.volumes[*].persistentVolumeClaim.readOnly", "spec.volumes[*].dataVolume.name",
		"spec.volumes[*].ephemeral.persistentVolumeClaim"},
	// shared only tells whether a VMI with the hostDisk may migrate.
	"pkg/virt-controller/launcherpod/volumes.go:hostDiskVolume": {"spec.volumes[*].hostDisk.path",
		"spec.volumes[*].hostDisk.type", "spec.volumes[*].hostDisk.shared"},
	"pkg/virt-launcher/hostdisks/hostdisks.go:hostDisk": {"spec.volumes[*].hostDisk.capacity"},
	"pkg/virt-controller/launcherpod/volumes.go:configSource": {"spec.volumes[*].configMap.name",
		"spec.volumes[*].configMap.optional", "spec.volumes[*].secret.optional", "spec.volumes[*].secret.secretName",
		"spec.volumes[*].downwardAPI.fields"},
	"pkg/virt-controller/launcherpod/volumes.go:serviceAccountName": {"spec.volumes[*].serviceAccount.serviceAccountName"},
	"pkg/virt-launcher/hostdisks/cloudinitsecrets.go:noCloudFromSecrets": {"spec.volumes[*].cloudInitNoCloud.secretRef",
		"spec.volumes[*].cloudInitNoCloud.networkDataSecretRef"},
	"pkg/virt-launcher/hostdisks/cloudinitsecrets.go:configDriveFromSecrets": {"spec.volumes[*].cloudInitConfigDrive.secretRef",
		"spec.volumes[*].cloudInitConfigDrive.networkDataSecretRef"},
	"pkg/virt-launcher/hostdisks/claims.go:configLabel": {"spec.volumes[*].configMap.volumeLabel",
		"spec.volumes[*].secret.volumeLabel", "spec.volumes[*].downwardAPI.volumeLabel"},
	"pkg/virt-launcher/cloudinit/nocloud.go:NoCloudSeed": {"spec.volumes[*].cloudInitNoCloud.userData",
		"spec.volumes[*].cloudInitNoCloud.userDataBase64", "spec.volumes[*].cloudInitNoCloud.networkData",
		"spec.volumes[*].cloudInitNoCloud.networkDataBase64"},
	"pkg/virt-launcher/cloudinit/configdrive.go:ConfigDriveISO": {"spec.volumes[*].cloudInitConfigDrive.userData",
		"spec.volumes[*].cloudInitConfigDrive.userDataBase64", "spec.volumes[*].cloudInitConfigDrive.networkData",
		"spec.volumes[*].cloudInitConfigDrive.networkDataBase64"},
	"pkg/virt-launcher/domain/domain.go:renderCPU": {"spec.domain.cpu.cores", "spec.domain.cpu.sockets",
		"spec.domain.cpu.threads", "spec.domain.cpu.model", "spec.domain.cpu.features[*].name", "spec.domain.cpu.features[*].policy"},
	"pkg/virt-launcher/domain/domain.go:memoryKiB":         {"spec.domain.memory.guest"},
	"pkg/virt-launcher/domain/domain.go:renderOS":          {"spec.domain.machine.type", "spec.domain.firmware.kernelBoot.kernelArgs"},
	"pkg/virt-launcher/domain/domain.go:renderBootloader":  {"spec.domain.firmware.bootloader.bios.useSerial", "spec.domain.firmware.bootloader.efi.secureBoot"},
	"pkg/virt-launcher/domain/domain.go:renderFeatures":    {"spec.domain.features.acpi.enabled", "spec.domain.features.apic.enabled", "spec.domain.features.smm.enabled"},
	"pkg/virt-launcher/domain/domain.go:renderSysInfo":     {"spec.domain.firmware.serial"},
	"pkg/virt-launcher/domain/domain.go:domainUUID":        {"spec.domain.firmware.uuid"},
	"pkg/virt-launcher/domain/graphics.go:HasGraphics":     {"spec.domain.devices.autoattachGraphicsDevice"},
	"pkg/virt-launcher/domain/graphics.go:VideoModel":      {"spec.domain.devices.video.type"},
	"pkg/virt-launcher/domain/graphics.go:renderInputs":    {"spec.domain.devices.inputs[*].bus", "spec.domain.devices.inputs[*].name", "spec.domain.devices.inputs[*].type"},
	"pkg/virt-launcher/domain/devices.go:renderDevices":    {"spec.domain.devices.autoattachMemBalloon", "spec.domain.devices.autoattachSerialConsole", "spec.domain.devices.rng"},
	"pkg/virt-launcher/domain/devices.go:renderInterfaces": {"spec.networks[*].name"},
	"pkg/virt-launcher/domain/devices.go:renderDisk": {"spec.domain.devices.disks[*].name", "spec.domain.devices.disks[*].bootOrder",
		"spec.domain.devices.disks[*].cache", "spec.domain.devices.disks[*].serial"},
	"pkg/virt-launcher/domain/devices.go:diskTarget": {"spec.domain.devices.disks[*].disk.bus", "spec.domain.devices.disks[*].disk.readonly",
		"spec.domain.devices.disks[*].cdrom.bus", "spec.domain.devices.disks[*].cdrom.readonly",
		"spec.domain.devices.disks[*].lun.bus", "spec.domain.devices.disks[*].lun.readonly"},
	"pkg/virt-launcher/domain/devices.go:renderInterface": {"spec.domain.devices.interfaces[*].name", "spec.domain.devices.interfaces[*].model",
		"spec.domain.devices.interfaces[*].macAddress", "spec.domain.devices.interfaces[*].bootOrder",
		"spec.domain.devices.interfaces[*].masquerade", "spec.domain.devices.interfaces[*].bridge"},
	"pkg/virt-launcher/virtmanager/manager.go:startPaused": {"spec.startStrategy"},
	"pkg/network/podplan/masquerade.go:natRules": {"spec.domain.devices.interfaces[*].ports[*].port",
		"spec.domain.devices.interfaces[*].ports[*].protocol", "spec.domain.devices.interfaces[*].ports[*].name"},
	"pkg/network/podplan/masquerade.go:GuestNetwork":        {"spec.networks[*].pod.vmNetworkCIDR"},
	"pkg/network/multus/annotations.go:Annotations":         {"spec.networks[*].multus.networkName", "spec.networks[*].multus.default"},
	"pkg/virt-api/admission/mutating/vmi.go:defaultNetwork": {"spec.domain.devices.autoattachPodInterface"},
	"pkg/virt-handler/probe/probe.go:Exec":                  {"spec.livenessProbe.exec", "spec.readinessProbe.exec"},
	"pkg/virt-handler/vmi/agent.go:probeOnce":               {"spec.livenessProbe.guestAgentPing", "spec.readinessProbe.guestAgentPing"},
	"pkg/virt-handler/probe/probe.go:TimingOf": {"spec.livenessProbe.failureThreshold", "spec.livenessProbe.initialDelaySeconds",
		"spec.livenessProbe.periodSeconds", "spec.livenessProbe.successThreshold", "spec.livenessProbe.timeoutSeconds",
		"spec.readinessProbe.failureThreshold", "spec.readinessProbe.initialDelaySeconds", "spec.readinessProbe.periodSeconds",
		"spec.readinessProbe.successThreshold", "spec.readinessProbe.timeoutSeconds"},
	"pkg/virt-controller/launcherpod/probes.go:NetworkProbe": {"spec.livenessProbe.httpGet", "spec.livenessProbe.tcpSocket",
		"spec.readinessProbe.httpGet", "spec.readinessProbe.tcpSocket"},
	"pkg/virt-launcher/domain/ifacedetails.go:interfaceDetails": {"spec.domain.devices.interfaces[*].pciAddress",
		"spec.domain.devices.interfaces[*].acpiIndex"},
}

// honouredTrivially are leaves kvirt honours by doing nothing, with why.
var honouredTrivially = map[string]string{
	"spec.domain.devices.disableHotplug": "kvirt hotplugs nothing, so hotplug is always disabled",
}

// refusedElsewhere are fields (and everything below them) that the validators
// refuse already, with the function that does it.
var refusedElsewhere = map[string]string{
	"spec.domain.devices.interfaces[*].slirp":   "pkg/virt-api/admission/validating/network.go:validateBinding",
	"spec.domain.devices.interfaces[*].macvtap": "pkg/virt-api/admission/validating/network.go:validateBinding",
	"spec.domain.devices.interfaces[*].passt":   "pkg/virt-api/admission/validating/network.go:validateBinding",
}

// leaves lists every leaf field of t by JSON path: a field whose type is not
// a struct of the API module (or is one without fields). Lists of API structs
// continue with "[*]".
func leaves(t reflect.Type, path string, out *[]string) {
	t = deref(t)
	elem := t
	if t.Kind() == reflect.Slice {
		elem = deref(t.Elem())
	}
	if elem.Kind() != reflect.Struct || !strings.HasPrefix(elem.PkgPath(), "kvirt.io/api/") || elem.NumField() == 0 {
		*out = append(*out, path)
		return
	}
	if t.Kind() == reflect.Slice {
		path += "[*]"
	}
	for i := 0; i < elem.NumField(); i++ {
		f := elem.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		leaves(f.Type, path+"."+name, out)
	}
}

// covering returns the decision covering a leaf, or "".
func covering(leaf string, table map[string]bool) string {
	if implementedBy(leaf) != "" || honouredTrivially[leaf] != "" {
		return "implemented"
	}
	for p := leaf; p != "spec"; p = parent(p) {
		switch {
		case table[p]:
			return "table"
		case refusedElsewhere[p] != "":
			return "refused"
		}
	}
	return ""
}

// parent is the path one step up: a list's elements' parent is the list.
func parent(p string) string {
	if list, ok := strings.CutSuffix(p, "[*]"); ok {
		return list
	}
	return p[:strings.LastIndex(p, ".")]
}

func implementedBy(leaf string) string {
	for by, paths := range implemented {
		for _, p := range paths {
			if p == leaf {
				return by
			}
		}
	}
	return ""
}

// TestEveryFieldHasADecision walks VirtualMachineInstanceSpec: each leaf must
// be implemented (naming the code), in the unsupported table, or refused by
// the validators. A new API field without a decision fails here.
func TestEveryFieldHasADecision(t *testing.T) {
	var all []string
	leaves(reflect.TypeOf(virtv1.VirtualMachineInstanceSpec{}), "spec", &all)
	table := map[string]bool{}
	for _, e := range Table {
		table[e.Path] = true
	}
	counts := map[string]int{}
	for _, leaf := range all {
		d := covering(leaf, table)
		if d == "" {
			t.Errorf("%s: no decision: implement it (and list it in implemented), add it to the unsupported Table, "+
				"or refuse it in the validators (and list it in refusedElsewhere)", leaf)
		}
		counts[d]++
	}
	t.Logf("%d leaf fields: %d implemented, %d in the unsupported table (%d entries), %d refused by the validators",
		len(all), counts["implemented"], counts["table"], len(Table), counts["refused"])

	leafSet := map[string]bool{}
	for _, l := range all {
		leafSet[l] = true
	}
	for by, paths := range implemented {
		for _, p := range paths {
			if !leafSet[p] {
				t.Errorf("implemented %s (%s) is not a leaf field", p, by)
			}
			if tableCovers(p, table) {
				t.Errorf("%s is both implemented and in the unsupported table or refused", p)
			}
		}
	}
	for p := range refusedElsewhere {
		if _, err := Compile([]Entry{{Path: p}}); err != nil {
			t.Errorf("refusedElsewhere: %v", err)
		}
	}
}

// tableCovers reports whether the table or the validators cover p (or an
// ancestor).
func tableCovers(p string, table map[string]bool) bool {
	for ; p != "spec"; p = parent(p) {
		if table[p] || refusedElsewhere[p] != "" {
			return true
		}
	}
	return false
}

// TestDecisionsNameRealCode checks that every "file:Func" reference names a
// function that exists, so the lists do not rot when code moves.
func TestDecisionsNameRealCode(t *testing.T) {
	refs := map[string]bool{}
	for by := range implemented {
		refs[by] = true
	}
	for _, by := range refusedElsewhere {
		refs[by] = true
	}
	var sorted []string
	for r := range refs {
		sorted = append(sorted, r)
	}
	sort.Strings(sorted)
	for _, ref := range sorted {
		file, fn, ok := strings.Cut(ref, ":")
		if !ok {
			t.Errorf("%q is not file:Func", ref)
			continue
		}
		src, err := os.ReadFile(filepath.Join(repoRoot, file))
		if err != nil {
			t.Errorf("%s: %v", ref, err)
			continue
		}
		re := regexp.MustCompile(`(?m)^func (\([^)]*\) )?` + regexp.QuoteMeta(fn) + `[\[(]`)
		if !re.Match(src) {
			t.Errorf("%s: %s declares no func %s", ref, file, fn)
		}
	}
}
