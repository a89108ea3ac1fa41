package nodeapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

func TestAgentRoutes(t *testing.T) {
	connected := &launcherv1.GuestAgentResponse{Connected: true, Version: "7.2.22", Hostname: "vm\x1b1",
		Os:       &launcherv1.GuestOSInfo{Name: "kvirt test guest"},
		Timezone: "UTC", Commands: []*launcherv1.GuestAgentCommand{{Name: "guest-ping", Enabled: true}},
		Users:          []*launcherv1.GuestUser{{UserName: "root", LoginTime: 1.5}},
		Filesystems:    []*launcherv1.GuestFilesystem{{DiskName: "loop0", MountPoint: "/data", FileSystemType: "ext2", TotalBytes: 10}},
		FsfreezeStatus: "thawed"}
	tests := []struct {
		name      string
		agent     *launcherv1.GuestAgentResponse
		method    string
		sub, body string
		wantCode  int
		wantBody  []string
		wantCall  string
	}{
		{name: "guestosinfo in upstream's shape, cleaned", agent: connected, method: "GET", sub: "guestosinfo",
			wantCode: 200, wantBody: []string{`"guestAgentVersion":"7.2.22"`, `"hostname":"vm1"`, `"os":{"name":"kvirt test guest"}`,
				`"timezone":"UTC, 0"`, `"supportedCommands":[{"enabled":true,"name":"guest-ping"}]`,
				`"fsInfo":{"disks":[{"diskName":"loop0"`, `"fsFreezeStatus":"thawed"`, `"userList":[{"loginTime":1.5,"userName":"root"}]`}},
		{name: "userlist", agent: connected, method: "GET", sub: "userlist", wantCode: 200,
			wantBody: []string{`"items":[{"loginTime":1.5,"userName":"root"}]`}},
		{name: "filesystemlist", agent: connected, method: "GET", sub: "filesystemlist", wantCode: 200,
			wantBody: []string{`"items":[{"diskName":"loop0","fileSystemType":"ext2","mountPoint":"/data","totalBytes":10,"usedBytes":0}]`}},
		{name: "empty userlist is an empty list", agent: &launcherv1.GuestAgentResponse{Connected: true}, method: "GET",
			sub: "userlist", wantCode: 200, wantBody: []string{`"items":[]`}},
		{name: "no agent: 409", agent: nil, method: "GET", sub: "filesystemlist", wantCode: 409, wantBody: []string{msgNoAgent}},
		{name: "freeze passes the timeout", agent: connected, method: "PUT", sub: "freeze",
			body: `{"unfreezeTimeoutSeconds":300}`, wantCode: 200, wantCall: "freeze 300"},
		{name: "freeze without a body", agent: connected, method: "PUT", sub: "freeze", wantCode: 400},
		{name: "freeze without an agent", agent: nil, method: "PUT", sub: "freeze", body: `{}`, wantCode: 409},
		{name: "unfreeze", agent: connected, method: "PUT", sub: "unfreeze", wantCode: 200, wantCall: "unfreeze"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeLauncher{agent: tc.agent}
			srv := httptest.NewServer(Handler(fakeLaunchers{l: fake}))
			defer srv.Close()
			req, _ := http.NewRequest(tc.method, srv.URL+"/v1/namespaces/default/virtualmachineinstances/vm/"+tc.sub,
				strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, raw, tc.wantCode)
			}
			for _, w := range tc.wantBody {
				if !strings.Contains(string(raw), w) {
					t.Errorf("body %s lacks %s", raw, w)
				}
			}
			if tc.wantCall != "" && strings.Join(fake.calls, ",") != tc.wantCall {
				t.Errorf("calls %v, want %s", fake.calls, tc.wantCall)
			}
		})
	}
}
