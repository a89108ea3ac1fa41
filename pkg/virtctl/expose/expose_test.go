package expose

import (
	"context"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	kubefake "k8s.io/client-go/kubernetes/fake"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/client-go/generated/clientset/versioned/fake"
)

func podNetSpec(ports ...virtv1.Port) virtv1.VirtualMachineInstanceSpec {
	return virtv1.VirtualMachineInstanceSpec{
		Networks: []virtv1.Network{{Name: "default", Pod: &virtv1.PodNetwork{}}},
		Domain: virtv1.DomainSpec{Devices: virtv1.Devices{Interfaces: []virtv1.Interface{
			{Name: "default", Masquerade: &virtv1.InterfaceMasquerade{}, Ports: ports}}}},
	}
}

func objects() []runtime.Object {
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{"app": name}}
	}
	return []runtime.Object{
		&virtv1.VirtualMachineInstance{ObjectMeta: meta("myvmi"), Spec: podNetSpec(virtv1.Port{Port: 80})},
		&virtv1.VirtualMachine{ObjectMeta: meta("myvm"), Spec: virtv1.VirtualMachineSpec{
			Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: podNetSpec(virtv1.Port{Port: 22}, virtv1.Port{Port: 53, Protocol: "UDP"})}}},
		&virtv1.VirtualMachineInstanceReplicaSet{ObjectMeta: meta("myrs"), Spec: virtv1.VirtualMachineInstanceReplicaSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"rs": "web"}},
			Template: &virtv1.VirtualMachineInstanceTemplateSpec{Spec: podNetSpec()}}},
		&virtv1.VirtualMachineInstanceReplicaSet{ObjectMeta: meta("exprs"), Spec: virtv1.VirtualMachineInstanceReplicaSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"rs": "x"},
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: metav1.LabelSelectorOpExists}}}}},
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name, kind, obj string
		opts            Options
		wantSelector    map[string]string
		wantPorts       []corev1.ServicePort
		wantType        corev1.ServiceType
		wantErr         string
	}{
		{name: "vmi by its vmi-id label, --port and --target-port", kind: "vmi", obj: "myvmi",
			opts:         Options{Name: "s", Port: 8080, TargetPort: "80", Protocol: "tcp", Type: "ClusterIP"},
			wantSelector: map[string]string{virtv1.VirtualMachineInstanceIDLabel: "myvmi"},
			wantPorts:    []corev1.ServicePort{{Protocol: corev1.ProtocolTCP, Port: 8080, TargetPort: intstr.FromInt32(80)}},
			wantType:     corev1.ServiceTypeClusterIP},
		{name: "vm: NodePort with the template's interface ports", kind: "VirtualMachine", obj: "myvm",
			opts:         Options{Name: "s", Protocol: "TCP", Type: "nodeport"},
			wantSelector: map[string]string{virtv1.VirtualMachineInstanceIDLabel: "myvm"},
			wantPorts: []corev1.ServicePort{{Name: "port-1", Protocol: corev1.ProtocolTCP, Port: 22},
				{Name: "port-2", Protocol: corev1.ProtocolUDP, Port: 53}},
			wantType: corev1.ServiceTypeNodePort},
		{name: "vmirs by its selector", kind: "vmirs", obj: "myrs",
			opts:         Options{Name: "s", Port: 80, PortName: "http", Protocol: "UDP", Type: "LoadBalancer"},
			wantSelector: map[string]string{"rs": "web"},
			wantPorts:    []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolUDP, Port: 80}},
			wantType:     corev1.ServiceTypeLoadBalancer},
		{name: "vmirs with match expressions is refused", kind: "vmirs", obj: "exprs",
			opts: Options{Name: "s", Port: 80, Protocol: "TCP", Type: "ClusterIP"}, wantErr: "match expressions"},
		{name: "no port anywhere", kind: "vmirs", obj: "myrs",
			opts: Options{Name: "s", Protocol: "TCP", Type: "ClusterIP"}, wantErr: "couldn't find port"},
		{name: "missing vm", kind: "vm", obj: "nope",
			opts: Options{Name: "s", Port: 1, Protocol: "TCP", Type: "ClusterIP"}, wantErr: "error fetching VirtualMachine"},
		{name: "unknown kind", kind: "pod", obj: "x",
			opts: Options{Name: "s", Port: 1, Protocol: "TCP", Type: "ClusterIP"}, wantErr: "unsupported resource type: pod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := tt.opts.parse()
			if err != nil {
				t.Fatal(err)
			}
			kube := kubefake.NewSimpleClientset()
			err = Run(context.Background(), fake.NewSimpleClientset(objects()...), kube, "ns", tt.kind, tt.obj, spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			svc, err := kube.CoreV1().Services("ns").Get(context.Background(), "s", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(svc.Spec.Selector, tt.wantSelector) || !reflect.DeepEqual(svc.Spec.Ports, tt.wantPorts) ||
				svc.Spec.Type != tt.wantType {
				t.Fatalf("service spec = %+v", svc.Spec)
			}
		})
	}
}

func TestParse(t *testing.T) {
	base := Options{Name: "s", Port: 80, Protocol: "TCP", Type: "ClusterIP"}
	with := func(f func(*Options)) Options { o := base; f(&o); return o }
	tests := []struct {
		name    string
		opts    Options
		check   func(Spec) bool
		wantErr string
	}{
		{"unknown protocol", with(func(o *Options) { o.Protocol = "SCTP" }), nil, "unknown protocol: SCTP"},
		{"ExternalName refused", with(func(o *Options) { o.Type = "ExternalName" }), nil, "type: ExternalName not supported"},
		{"unknown type", with(func(o *Options) { o.Type = "Magic" }), nil, "unknown service type: Magic"},
		{"bad ip family", with(func(o *Options) { o.IPFamily = "IPv5" }), nil, "unknown IPFamily/s"},
		{"dual stack defaults the policy to PreferDualStack", with(func(o *Options) { o.IPFamily = "IPv6,IPv4" }),
			func(s Spec) bool {
				return reflect.DeepEqual(s.Service.Spec.IPFamilies, []corev1.IPFamily{corev1.IPv6Protocol, corev1.IPv4Protocol}) &&
					*s.Service.Spec.IPFamilyPolicy == corev1.IPFamilyPolicyPreferDualStack
			}, ""},
		{"external and cluster IP, named target port", with(func(o *Options) {
			o.ExternalIP, o.ClusterIP, o.TargetPort = "192.0.2.1", "None", "http"
		}), func(s Spec) bool {
			return reflect.DeepEqual(s.Service.Spec.ExternalIPs, []string{"192.0.2.1"}) && s.Service.Spec.ClusterIP == "None" &&
				s.Port.TargetPort == intstr.FromString("http")
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.opts.parse()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(s) {
				t.Fatalf("parse = %+v, %v", s, err)
			}
		})
	}
}
