package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// guestVMI is a VMI of the test guest called name, with its containerDisk,
// the user data script userData and one more disk, volume extra (a YAML
// volume source, indented for its place under "- name: <volume>").
func guestVMI(name, userData, volume, extra string) string {
	return fmt.Sprintf(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: %[1]s
spec:
  domain:
    devices:
      disks:
      - name: containerdisk
        disk: {bus: virtio}
      - name: cloudinitdisk
        disk: {bus: virtio}
%[4]s    resources:
      requests:
        memory: 128Mi
  terminationGracePeriodSeconds: 5
  volumes:
  - name: containerdisk
    containerDisk:
      image: %[2]s
  - name: cloudinitdisk
    cloudInitNoCloud:
      userData: |
%[3]s%[5]s`, name, e.guestDisk, indent(userData, "        "), diskItems(volume), extra)
}

// diskItems are the disks entries of the comma-separated volume names.
func diskItems(volumes string) string {
	var b strings.Builder
	for _, v := range strings.Split(volumes, ",") {
		fmt.Fprintf(&b, "      - name: %s\n        disk: {bus: virtio}\n", v)
	}
	return b.String()
}

func indent(text, prefix string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n")
	return prefix + strings.Join(lines, prefix) + "\n"
}

// configVolumes are a ConfigMap and a Secret; TestConfigMapAndSecretDisks names both as
// disks (configVolumesSources), and configVolumesScript mounts every ISO 9660 disk and prints their files.
const configVolumes = `apiVersion: v1
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
`

const configVolumesScript = `#!/bin/sh
mkdir -p /mnt/cfgdisk
for d in /dev/vd?; do
  if mount -t iso9660 -o ro $d /mnt/cfgdisk 2>/dev/null; then
    for f in /mnt/cfgdisk/motd /mnt/cfgdisk/token; do
      [ -f $f ] && echo "KVIRT-CFGDISK ${f##*/} $(cat $f)"
    done
    umount /mnt/cfgdisk
  fi
done
`

const configVolumesSources = `  - name: cfg
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
	manifest := configVolumes + guestVMI("cfgvmi", configVolumesScript, "cfg,sec", configVolumesSources)
	if out, errOut, err := kubectl(t, manifest, "-n", ns, "apply", "-f", "-"); err != nil {
		t.Fatalf("kubectl apply: %v\n%s%s", err, out, errOut)
	}
	waitRunning(t, ns, "cfgvmi")
	out := consoleUntil(t, ns, "cfgvmi", markerBooted,
		"KVIRT-CFGDISK motd hello-from-the-configmap", "KVIRT-CFGDISK token hello-from-the-secret")
	t.Logf("console:\n%s", out)
}
