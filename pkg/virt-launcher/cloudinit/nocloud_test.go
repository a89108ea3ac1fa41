package cloudinit

import (
	"encoding/binary"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	virtv1 "kvirt.io/api/core/v1"
)

// readISO returns the label and every file of an image written by WriteISO,
// by path, walking directories from the root record.
func readISO(t *testing.T, img []byte) (string, map[string]string) {
	t.Helper()
	pvd := img[16*sector:]
	if string(pvd[1:6]) != "CD001" || pvd[0] != 1 {
		t.Fatalf("no primary volume descriptor")
	}
	if got := binary.LittleEndian.Uint32(pvd[80:84]); int(got)*sector != len(img) {
		t.Fatalf("volume space size %d sectors, image has %d bytes", got, len(img))
	}
	files := map[string]string{}
	var walk func(extent uint32, prefix string)
	walk = func(extent uint32, prefix string) {
		dir := img[int(extent)*sector:]
		for off := 0; dir[off] != 0; off += int(dir[off]) {
			r := dir[off:]
			id := string(r[33 : 33+int(r[32])])
			ext, size := binary.LittleEndian.Uint32(r[2:6]), binary.LittleEndian.Uint32(r[10:14])
			switch {
			case id == "\x00" || id == "\x01":
			case r[25]&2 != 0:
				walk(ext, prefix+id+"/")
			default:
				files[prefix+id] = string(img[int(ext)*sector : int(ext)*sector+int(size)])
			}
		}
	}
	walk(binary.LittleEndian.Uint32(pvd[156+2:156+6]), "")
	return strings.TrimSpace(string(pvd[40:72])), files
}

func TestConfigDrive(t *testing.T) {
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns", UID: "u-1"}}
	img, err := ConfigDriveISO(vmi, &virtv1.CloudInitConfigDriveSource{UserData: "#cloud-config\n",
		NetworkData: `{"links":[]}`})
	if err != nil {
		t.Fatal(err)
	}
	label, files := readISO(t, img)
	if label != ConfigDriveLabel {
		t.Errorf("label = %q", label)
	}
	if files["openstack/latest/user_data"] != "#cloud-config\n" || files["openstack/latest/network_data.json"] != `{"links":[]}` {
		t.Errorf("files = %v", files)
	}
	if !strings.Contains(files["openstack/latest/meta_data.json"], `"uuid":"u-1"`) {
		t.Errorf("meta_data.json = %s", files["openstack/latest/meta_data.json"])
	}
	if _, err := ConfigDriveISO(vmi, &virtv1.CloudInitConfigDriveSource{SecretRef: &corev1.LocalObjectReference{}}); err == nil {
		t.Error("secret reference accepted")
	}
}

func TestNoCloudSeed(t *testing.T) {
	vmi := &virtv1.VirtualMachineInstance{ObjectMeta: metav1.ObjectMeta{Name: "vm", Namespace: "ns"}}
	tests := []struct {
		name    string
		src     virtv1.CloudInitNoCloudSource
		want    map[string]string
		wantErr string
	}{{
		name: "inline user data",
		src:  virtv1.CloudInitNoCloudSource{UserData: "#!/bin/sh\necho hi\n"},
		want: map[string]string{"user-data": "#!/bin/sh\necho hi\n",
			"meta-data": "instance-id: vm.ns\nlocal-hostname: vm\n"},
	}, {
		name: "base64 user and network data",
		src:  virtv1.CloudInitNoCloudSource{UserDataBase64: "aGk=", NetworkData: "version: 2\n"},
		want: map[string]string{"user-data": "hi", "network-config": "version: 2\n"},
	}, {
		name:    "bad base64",
		src:     virtv1.CloudInitNoCloudSource{UserDataBase64: "!!"},
		wantErr: "userDataBase64",
	}, {
		name:    "secret reference",
		src:     virtv1.CloudInitNoCloudSource{SecretRef: &corev1.LocalObjectReference{Name: "s"}},
		wantErr: "secret",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seed, err := NoCloudSeed(vmi, &tc.src)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			img, err := seed.ISO()
			if err != nil {
				t.Fatal(err)
			}
			label, files := readISO(t, img)
			if label != NoCloudLabel {
				t.Errorf("label = %q", label)
			}
			for name, content := range tc.want {
				if files[name] != content {
					t.Errorf("%s = %q, want %q", name, files[name], content)
				}
			}
		})
	}
}

func TestWriteISORejectsLongNames(t *testing.T) {
	err := WriteISO(&strings.Builder{}, "x", []File{{Name: strings.Repeat("a", 31)}})
	if err == nil {
		t.Fatal("want an error for a 31-character name")
	}
}
