package nodeapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/vmistatus"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// FreezeRequest is the body of PUT .../freeze on the node API.
type FreezeRequest struct {
	// UnfreezeTimeoutSeconds thaws the guest after this long; 0 never does.
	UnfreezeTimeoutSeconds int64 `json:"unfreezeTimeoutSeconds"`
}

// msgNoAgent is upstream's refusal when the guest agent is not connected.
const msgNoAgent = "VMI does not have guest agent connected"

// agentRoutes serves what the guest agent reports (in upstream's shapes,
// cleaned like the VMI status) and the freeze/unfreeze commands.
func agentRoutes(mux *http.ServeMux, base string, l Launchers) {
	report := func(build func(*launcherv1.GuestAgentResponse) any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			cl, ok := launcherFor(w, r, l)
			if !ok {
				return
			}
			a, err := cl.GetGuestAgent(r.Context(), &launcherv1.Empty{})
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			if !a.Connected {
				http.Error(w, msgNoAgent, http.StatusConflict)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(build(a))
		}
	}
	mux.Handle("GET "+base+"guestosinfo", report(func(a *launcherv1.GuestAgentResponse) any { return GuestAgentInfo(a) }))
	mux.Handle("GET "+base+"userlist", report(func(a *launcherv1.GuestAgentResponse) any {
		return virtv1.VirtualMachineInstanceGuestOSUserList{Items: vmistatus.Users(a.Users)}
	}))
	mux.Handle("GET "+base+"filesystemlist", report(func(a *launcherv1.GuestAgentResponse) any {
		return virtv1.VirtualMachineInstanceFileSystemList{Items: vmistatus.FileSystems(a.Filesystems)}
	}))
	mux.HandleFunc("PUT "+base+"freeze", func(w http.ResponseWriter, r *http.Request) {
		req := FreezeRequest{}
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || req.UnfreezeTimeoutSeconds < 0 {
			http.Error(w, fmt.Sprintf("bad freeze request: %v", err), http.StatusBadRequest)
			return
		}
		agentCommand(w, r, l, func(cl launcherv1.LauncherClient) (*launcherv1.Result, error) {
			return cl.Freeze(r.Context(), &launcherv1.FreezeRequest{UnfreezeTimeoutSeconds: req.UnfreezeTimeoutSeconds})
		})
	})
	mux.HandleFunc("PUT "+base+"unfreeze", func(w http.ResponseWriter, r *http.Request) {
		agentCommand(w, r, l, func(cl launcherv1.LauncherClient) (*launcherv1.Result, error) {
			return cl.Unfreeze(r.Context(), &launcherv1.Empty{})
		})
	})
}

// agentCommand runs a command that needs a connected agent.
func agentCommand(w http.ResponseWriter, r *http.Request, l Launchers,
	call func(launcherv1.LauncherClient) (*launcherv1.Result, error)) {
	cl, ok := launcherFor(w, r, l)
	if !ok {
		return
	}
	a, err := cl.GetGuestAgent(r.Context(), &launcherv1.Empty{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !a.Connected {
		http.Error(w, msgNoAgent, http.StatusConflict)
		return
	}
	res, err := call(cl)
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
	case !res.Success:
		http.Error(w, res.Message, http.StatusConflict)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// GuestAgentInfo is upstream's guestosinfo answer built from an agent report.
func GuestAgentInfo(a *launcherv1.GuestAgentResponse) virtv1.VirtualMachineInstanceGuestAgentInfo {
	info := virtv1.VirtualMachineInstanceGuestAgentInfo{
		GuestAgentVersion: vmistatus.CleanString(a.Version),
		Hostname:          vmistatus.CleanString(a.Hostname),
		OS:                vmistatus.GuestOSInfo(a.Os),
		UserList:          vmistatus.Users(a.Users),
		FsInfo:            virtv1.VirtualMachineInstanceFileSystemInfo{Disks: vmistatus.FileSystems(a.Filesystems)},
		FsFreezeStatus:    vmistatus.CleanString(a.FsfreezeStatus),
	}
	if a.Timezone != "" {
		info.Timezone = fmt.Sprintf("%s, %d", vmistatus.CleanString(a.Timezone), a.TimezoneOffset)
	}
	for i, c := range a.Commands {
		if i >= 256 {
			break
		}
		info.SupportedCommands = append(info.SupportedCommands,
			virtv1.GuestAgentCommandInfo{Name: vmistatus.CleanString(c.Name), Enabled: c.Enabled})
	}
	return info
}
