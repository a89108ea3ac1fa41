package e2e

import (
	"fmt"
	"testing"
)

// configVolumesVMI is a VMI of the test guest with a ConfigMap and a Secret
// as disks; its user data mounts every ISO 9660 disk and prints their files.
const configVolumesVMI = `apiVersion: v1
kind: ConfigMap
metadata:
  name: guest-config
data:
  motd: hello-from-the-configmap
---
apiVersion: v1
kind: Secret
metadata:
  name: guest-secret
stringData:
  token: hello-from-the-secret
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: cfgvmi
spec:
  domain:
    devices:
      disks:
      - name: containerdisk
        disk: {bus: virtio}
      - name: cloudinitdisk
        disk: {bus: virtio}
      - name: cfg
        disk: {bus: virtio}
      - name: sec
        disk: {bus: virtio}
    resources:
      requests:
        memory: 128Mi
  terminationGracePeriodSeconds: 5
  volumes:
  - name: containerdisk
    containerDisk:
      image: %s
  - name: cloudinitdisk
    cloudInitNoCloud:
      userData: |
        #!/bin/sh
        mkdir -p /mnt/cfgdisk
        for d in /dev/vd?; do
          if mount -t iso9660 -o ro $d /mnt/cfgdisk 2>/dev/null; then
            for f in /mnt/cfgdisk/motd /mnt/cfgdisk/token; do
              [ -f $f ] && echo "KVIRT-CFGDISK ${f##*/} $(cat $f)"
            done
            umount /mnt/cfgdisk
          fi
        done
  - name: cfg
    configMap:
      name: guest-config
  - name: sec
    secret:
      secretName: guest-secret
`

// TestConfigMapAndSecretDisks: a ConfigMap's and a Secret's keys are files of
// ISO disks the guest mounts.
func TestConfigMapAndSecretDisks(t *testing.T) {
	ns := newNamespace(t)
	if out, errOut, err := kubectl(t, fmt.Sprintf(configVolumesVMI, e.guestDisk), "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	waitRunning(t, ns, "cfgvmi")
	out := consoleUntil(t, ns, "cfgvmi", markerBooted,
		"KVIRT-CFGDISK motd hello-from-the-configmap", "KVIRT-CFGDISK token hello-from-the-secret")
	t.Logf("console:\n%s", out)
}
