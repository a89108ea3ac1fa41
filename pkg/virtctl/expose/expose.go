package expose

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	virtv1 "kvirt.io/api/core/v1"
	kvirtclient "kvirt.io/client-go/generated/clientset/versioned"
	"kvirt.io/kvirt/pkg/vmiid"
)

// Client gives the REST configuration and the namespace to act in.
type Client interface {
	Config() (*rest.Config, string, error)
}

// Options are the flags of expose, upstream's.
type Options struct {
	Name           string
	ClusterIP      string
	ExternalIP     string
	Port           int32
	Protocol       string
	TargetPort     string
	Type           string
	PortName       string
	IPFamily       string
	IPFamilyPolicy string
}

// NewCommand returns `expose TYPE NAME`.
func NewCommand(c Client) *cobra.Command {
	o := Options{Protocol: "TCP", Type: string(corev1.ServiceTypeClusterIP)}
	cmd := &cobra.Command{
		Use:   "expose (TYPE NAME)",
		Short: "Expose a virtual machine instance, virtual machine, or virtual machine instance replica set as a new service.",
		Long: "Looks up a virtual machine instance, virtual machine or virtual machine instance replica set by name and\n" +
			"creates a Service selecting its launcher pods on the given port. A VM or VMI is selected by its\n" +
			"kubevirt.io/vmi-id pod label, a replica set by its selector's matchLabels (match expressions cannot be\n" +
			"exposed). Without --port, the ports listed on the pod-network interface are used.\n\n" +
			"Possible types are (case insensitive, both single and plural forms):\n" +
			"virtualmachineinstance (vmi), virtualmachine (vm), virtualmachineinstancereplicaset (vmirs)",
		Example: "  # Expose SSH of VMI myvm on every node through a NodePort service:\n" +
			"  virtctl expose vmi myvm --port=22 --name=myvm-ssh --type=NodePort\n\n" +
			"  # Expose port 8080 as port 80 for a replica set:\n" +
			"  virtctl expose vmirs myvmirs --port=80 --target-port=8080 --name=vmirs-service",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := o.parse()
			if err != nil {
				return err
			}
			cfg, ns, err := c.Config()
			if err != nil {
				return err
			}
			kv, err := kvirtclient.NewForConfig(cfg)
			if err != nil {
				return fmt.Errorf("kvirt client: %w", err)
			}
			kube, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				return fmt.Errorf("kubernetes client: %w", err)
			}
			if err := Run(cmd.Context(), kv, kube, ns, args[0], args[1], spec); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Service %s successfully created for %s %s\n", o.Name, args[0], args[1])
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Name, "name", "", "Name of the service created for the exposure of the VM.")
	_ = cmd.MarkFlagRequired("name")
	f.StringVar(&o.ClusterIP, "cluster-ip", "", "ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to 'None' to create a headless service.")
	f.StringVar(&o.ExternalIP, "external-ip", "", "Additional external IP address (not managed by the cluster) to accept for the service. Optional.")
	f.Int32Var(&o.Port, "port", 0, "The port that the service should serve on.")
	f.StringVar(&o.Protocol, "protocol", o.Protocol, "The network protocol for the service to be created (TCP or UDP).")
	f.StringVar(&o.TargetPort, "target-port", "", "Name or number for the port on the VM that the service should direct traffic to. Optional.")
	f.StringVar(&o.Type, "type", o.Type, "Type for this service: ClusterIP, NodePort, or LoadBalancer.")
	f.StringVar(&o.PortName, "port-name", "", "Name of the port. Optional.")
	f.StringVar(&o.IPFamily, "ip-family", "", "IP family over which the service will be exposed: IPv4, IPv6, IPv4,IPv6 or IPv6,IPv4.")
	f.StringVar(&o.IPFamilyPolicy, "ip-family-policy", "", "IP family policy of the service: SingleStack, PreferDualStack or RequireDualStack.")
	return cmd
}

// Spec is the parsed flags: the Service to create, without selector and
// (when --port is not given) ports.
type Spec struct {
	Service corev1.Service
	// Port is the single port of --port; nil means: the interface's ports.
	Port *corev1.ServicePort
}

// parse checks the flags as upstream does and turns them into a Spec.
func (o Options) parse() (Spec, error) {
	proto, err := oneOf("protocol", o.Protocol, string(corev1.ProtocolTCP), string(corev1.ProtocolUDP))
	if err != nil {
		return Spec{}, err
	}
	if strings.EqualFold(o.Type, string(corev1.ServiceTypeExternalName)) {
		return Spec{}, fmt.Errorf("type: %s not supported", o.Type)
	}
	typ, err := oneOf("service type", o.Type, string(corev1.ServiceTypeClusterIP), string(corev1.ServiceTypeNodePort),
		string(corev1.ServiceTypeLoadBalancer))
	if err != nil {
		return Spec{}, err
	}
	families, err := ipFamilies(o.IPFamily)
	if err != nil {
		return Spec{}, err
	}
	policy, err := ipFamilyPolicy(o.IPFamilyPolicy, families)
	if err != nil {
		return Spec{}, err
	}
	s := Spec{Service: corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: o.Name},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceType(typ), ClusterIP: o.ClusterIP, IPFamilies: families,
			IPFamilyPolicy: policy},
	}}
	if o.ExternalIP != "" {
		s.Service.Spec.ExternalIPs = []string{o.ExternalIP}
	}
	if o.Port != 0 {
		s.Port = &corev1.ServicePort{Name: o.PortName, Protocol: corev1.Protocol(proto), Port: o.Port}
		if o.TargetPort != "" {
			s.Port.TargetPort = intstr.Parse(o.TargetPort)
		}
	}
	return s, nil
}

// oneOf matches v case-insensitively against the allowed values.
func oneOf(what, v string, allowed ...string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, nil
		}
	}
	return "", fmt.Errorf("unknown %s: %s", what, v)
}

func ipFamilies(v string) ([]corev1.IPFamily, error) {
	if v == "" {
		return nil, nil
	}
	var out []corev1.IPFamily
	for _, f := range strings.Split(v, ",") {
		fam, err := oneOf("IPFamily/s", f, string(corev1.IPv4Protocol), string(corev1.IPv6Protocol))
		if err != nil || (len(out) == 1 && out[0] == corev1.IPFamily(fam)) || len(out) == 2 {
			return nil, fmt.Errorf("unknown IPFamily/s: %s", v)
		}
		out = append(out, corev1.IPFamily(fam))
	}
	return out, nil
}

func ipFamilyPolicy(v string, families []corev1.IPFamily) (*corev1.IPFamilyPolicy, error) {
	if v == "" {
		if len(families) > 1 {
			p := corev1.IPFamilyPolicyPreferDualStack
			return &p, nil
		}
		return nil, nil
	}
	p, err := oneOf("IPFamilyPolicy/s", v, string(corev1.IPFamilyPolicySingleStack),
		string(corev1.IPFamilyPolicyPreferDualStack), string(corev1.IPFamilyPolicyRequireDualStack))
	if err != nil {
		return nil, err
	}
	pol := corev1.IPFamilyPolicy(p)
	return &pol, nil
}

// Run looks the object up and creates the Service in namespace ns.
func Run(ctx context.Context, kv kvirtclient.Interface, kube kubernetes.Interface, ns, kind, name string, s Spec) error {
	selector, spec, err := Target(ctx, kv, ns, kind, name)
	if err != nil {
		return err
	}
	svc := s.Service.DeepCopy()
	svc.Namespace = ns
	svc.Spec.Selector = selector
	if s.Port != nil {
		svc.Spec.Ports = []corev1.ServicePort{*s.Port}
	} else {
		svc.Spec.Ports = PodNetworkPorts(spec)
	}
	if len(svc.Spec.Ports) == 0 {
		return errors.New("couldn't find port via --port flag or introspection")
	}
	if _, err := kube.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("service creation failed: %w", err)
	}
	return nil
}

// Target is the pod selector for the named object and the VMI spec whose
// interface ports stand in for a missing --port (nil when there is none).
func Target(ctx context.Context, kv kvirtclient.Interface, ns, kind, name string) (map[string]string, *virtv1.VirtualMachineInstanceSpec, error) {
	c := kv.KubevirtV1()
	switch strings.ToLower(kind) {
	case "vmi", "vmis", "virtualmachineinstance", "virtualmachineinstances":
		vmi, err := c.VirtualMachineInstances(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("error fetching VirtualMachineInstance: %w", err)
		}
		return map[string]string{virtv1.VirtualMachineInstanceIDLabel: vmiid.Of(vmi.Name)}, &vmi.Spec, nil
	case "vm", "vms", "virtualmachine", "virtualmachines":
		vm, err := c.VirtualMachines(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("error fetching VirtualMachine: %w", err)
		}
		var spec *virtv1.VirtualMachineInstanceSpec
		if vm.Spec.Template != nil {
			spec = &vm.Spec.Template.Spec
		}
		// A VM's VMI has the VM's name.
		return map[string]string{virtv1.VirtualMachineInstanceIDLabel: vmiid.Of(vm.Name)}, spec, nil
	case "vmirs", "vmirss", "virtualmachineinstancereplicaset", "virtualmachineinstancereplicasets":
		rs, err := c.VirtualMachineInstanceReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("error fetching VirtualMachineInstanceReplicaSet: %w", err)
		}
		if rs.Spec.Selector == nil || len(rs.Spec.Selector.MatchLabels) == 0 {
			return nil, nil, errors.New("cannot expose VirtualMachineInstanceReplicaSet without any selector labels")
		}
		if len(rs.Spec.Selector.MatchExpressions) > 0 {
			return nil, nil, errors.New("cannot expose VirtualMachineInstanceReplicaSet with match expressions")
		}
		var spec *virtv1.VirtualMachineInstanceSpec
		if rs.Spec.Template != nil {
			spec = &rs.Spec.Template.Spec
		}
		return rs.Spec.Selector.MatchLabels, spec, nil
	}
	return nil, nil, fmt.Errorf("unsupported resource type: %s", kind)
}

// PodNetworkPorts are the ports listed on the interface of the pod network,
// named port-1, port-2, ... as upstream names them.
func PodNetworkPorts(spec *virtv1.VirtualMachineInstanceSpec) []corev1.ServicePort {
	if spec == nil {
		return nil
	}
	podNet := ""
	for _, n := range spec.Networks {
		if n.Pod != nil {
			podNet = n.Name
			break
		}
	}
	for _, iface := range spec.Domain.Devices.Interfaces {
		if podNet == "" || iface.Name != podNet {
			continue
		}
		var out []corev1.ServicePort
		for i, p := range iface.Ports {
			proto := corev1.Protocol(p.Protocol)
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			out = append(out, corev1.ServicePort{Name: fmt.Sprintf("port-%d", i+1), Protocol: proto, Port: p.Port})
		}
		return out
	}
	return nil
}
