package launcherpod

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	virtv1 "kvirt.io/api/core/v1"
)

func TestSerialConsoleLogEnabled(t *testing.T) {
	cases := []struct {
		name       string
		autoattach *bool
		log        *bool
		disabled   bool
		want       bool
	}{
		{"upstream default: logged", nil, nil, false, true},
		{"cluster default off", nil, nil, true, false},
		{"VMI asks despite the cluster", nil, ptr(true), true, true},
		{"VMI declines", nil, ptr(false), false, false},
		{"no serial console, nothing to log", ptr(false), ptr(true), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vmi := baseVMI()
			vmi.Spec.Domain.Devices.AutoattachSerialConsole = tc.autoattach
			vmi.Spec.Domain.Devices.LogSerialConsole = tc.log
			cfg := Config{DisableSerialConsoleLog: tc.disabled}
			if got := SerialConsoleLogEnabled(&vmi.Spec, cfg); got != tc.want {
				t.Fatalf("enabled = %v, want %v", got, tc.want)
			}
			pod := Render(vmi, cfg)
			args := pod.Spec.Containers[0].Args
			i := slices.Index(args, "--serial-console-log")
			hasContainer := slices.ContainsFunc(pod.Spec.InitContainers, func(c corev1.Container) bool {
				return c.Name == GuestConsoleLogContainer
			})
			if (i >= 0) != tc.want || hasContainer != tc.want {
				t.Fatalf("launcher args %v, guest-console-log container %v; want both %v", args, hasContainer, tc.want)
			}
			if tc.want && args[i+1] != SerialConsoleLogFile {
				t.Errorf("log file %q, want %q", args[i+1], SerialConsoleLogFile)
			}
		})
	}
}

func TestGuestConsoleLogContainer(t *testing.T) {
	vmi := baseVMI()
	pod := Render(vmi, Config{LauncherImage: "me/launcher:1"})
	var c corev1.Container
	for _, ic := range pod.Spec.InitContainers {
		if ic.Name == GuestConsoleLogContainer {
			c = ic
		}
	}
	if c.Image != "me/launcher:1" || !slices.Equal(c.Command, []string{containerDiskBinary, "--follow", SerialConsoleLogFile}) {
		t.Errorf("container runs %s %v", c.Image, c.Command)
	}
	if c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
		t.Errorf("restartPolicy %v: want a sidecar (Always)", c.RestartPolicy)
	}
	if len(c.VolumeMounts) != 1 || !c.VolumeMounts[0].ReadOnly || c.VolumeMounts[0].MountPath != SerialConsoleLogMountPath {
		t.Errorf("mounts %+v, want the log directory read-only", c.VolumeMounts)
	}
	sc := c.SecurityContext
	if sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != 107 || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot ||
		!slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("security context %+v", sc)
	}
	want := map[string]string{"req cpu": "5m", "req memory": "35M", "lim cpu": "15m", "lim memory": "60M"}
	got := map[string]string{"req cpu": c.Resources.Requests.Cpu().String(), "req memory": c.Resources.Requests.Memory().String(),
		"lim cpu": c.Resources.Limits.Cpu().String(), "lim memory": c.Resources.Limits.Memory().String()}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s (upstream's fixed figures)", k, got[k], v)
		}
	}
	// Dedicated CPUs: Guaranteed QoS needs requests equal to limits in every container.
	vmi.Spec.Domain.CPU = &virtv1.CPU{Cores: 1, DedicatedCPUPlacement: ptr(true)}
	for _, ic := range Render(vmi, Config{}).Spec.InitContainers {
		if ic.Name == GuestConsoleLogContainer && (ic.Resources.Requests.Cpu().Cmp(*ic.Resources.Limits.Cpu()) != 0 ||
			ic.Resources.Requests.Memory().Cmp(*ic.Resources.Limits.Memory()) != 0) {
			t.Errorf("dedicated CPUs: requests %v limits %v", ic.Resources.Requests, ic.Resources.Limits)
		}
	}
}

func TestLauncherVerbosity(t *testing.T) {
	for _, tc := range []struct {
		level int
		want  string
	}{{-1, ""}, {0, ""}, {5, "5"}} {
		args := Render(baseVMI(), Config{LauncherVerbosity: tc.level}).Spec.Containers[0].Args
		got := ""
		if i := slices.Index(args, "--v"); i >= 0 {
			got = args[i+1]
		}
		if got != tc.want {
			t.Errorf("level %d: --v %q in %v, want %q", tc.level, got, args, tc.want)
		}
	}
}
