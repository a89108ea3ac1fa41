package podsocket

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/types"
)

// CgroupCheck accepts a peer that runs as the target's RunAsUser and whose
// cgroup is the target pod's. ProcDir is /proc when empty.
type CgroupCheck struct {
	ProcDir string
}

// Check implements PeerCheck.
func (c CgroupCheck) Check(peer Peer, t Target) error {
	if peer.UID != t.RunAsUser {
		return fmt.Errorf("peer runs as uid %d, the pod as %d", peer.UID, t.RunAsUser)
	}
	if peer.PID <= 0 {
		return fmt.Errorf("peer pid %d is not visible here", peer.PID)
	}
	dir := c.ProcDir
	if dir == "" {
		dir = "/proc"
	}
	raw, err := os.ReadFile(dir + "/" + strconv.Itoa(int(peer.PID)) + "/cgroup")
	if err != nil {
		return fmt.Errorf("read cgroup of peer pid %d: %w", peer.PID, err)
	}
	if !InPodCgroup(string(raw), t.PodUID) {
		return fmt.Errorf("peer pid %d is not in pod %s's cgroup", peer.PID, t.PodUID)
	}
	return nil
}

// InPodCgroup says whether a /proc/<pid>/cgroup content places the process in
// the pod's cgroup: a path element "pod<uid>" (the kubelet's cgroupfs driver)
// or "<prefix>-pod<uid with _ for ->.slice" (its systemd driver) on any
// hierarchy. A container cannot move its processes into another pod's cgroup.
func InPodCgroup(procCgroup string, podUID types.UID) bool {
	plain := "pod" + string(podUID)
	systemd := "-pod" + strings.ReplaceAll(string(podUID), "-", "_") + ".slice"
	for _, line := range strings.Split(procCgroup, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, elem := range strings.Split(parts[2], "/") {
			if elem == plain || strings.HasSuffix(elem, systemd) {
				return true
			}
		}
	}
	return false
}
