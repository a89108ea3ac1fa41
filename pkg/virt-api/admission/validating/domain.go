package validating

import (
	"fmt"
	"net"
	"path"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// emulatedMachinesByArch are upstream's defaults when the cluster sets none.
var emulatedMachinesByArch = map[string][]string{
	"arm64": {"virt*"},
	"s390x": {"s390-ccw-virtio*"},
}

// validateArchAndMachine checks spec.architecture and the machine type against
// the machines the cluster emulates for that architecture.
func validateArchAndMachine(spec *field.Path, s *virtv1.VirtualMachineInstanceSpec, cfg Config) field.ErrorList {
	var errs field.ErrorList
	arch := s.Architecture
	if arch != "" && !contains(supportedArchitectures, arch) {
		errs = append(errs, field.NotSupported(spec.Child("architecture"), arch, supportedArchitectures))
	}
	if arch == "" {
		arch = cfg.Architecture
	}
	if s.Domain.Machine == nil || s.Domain.Machine.Type == "" {
		return errs
	}
	patterns := cfg.EmulatedMachines
	if m, ok := emulatedMachinesByArch[arch]; ok && arch != cfg.Architecture {
		patterns = m
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, s.Domain.Machine.Type); ok {
			return errs
		}
	}
	return append(errs, field.NotSupported(spec.Child("domain", "machine", "type"), s.Domain.Machine.Type, patterns))
}

// validateNaming checks hostname and subdomain, which become the guest's DNS name.
func validateNaming(spec *field.Path, s *virtv1.VirtualMachineInstanceSpec) field.ErrorList {
	var errs field.ErrorList
	if s.Hostname != "" {
		for _, msg := range validation.IsDNS1123Label(s.Hostname) {
			errs = append(errs, field.Invalid(spec.Child("hostname"), s.Hostname, msg))
		}
	}
	if s.Subdomain != "" {
		for _, msg := range validation.IsDNS1123Subdomain(s.Subdomain) {
			errs = append(errs, field.Invalid(spec.Child("subdomain"), s.Subdomain, msg))
		}
	}
	if s.TerminationGracePeriodSeconds != nil && *s.TerminationGracePeriodSeconds < 0 {
		errs = append(errs, field.Invalid(spec.Child("terminationGracePeriodSeconds"), *s.TerminationGracePeriodSeconds, "must not be negative"))
	}
	return errs
}

// validateProbes requires exactly one handler per probe and a pod network for
// probes that reach the guest over the network (httpGet and tcpSocket: the
// kubelet runs them on the launcher pod, whose IP forwards to the guest).
func validateProbes(spec *field.Path, s *virtv1.VirtualMachineInstanceSpec) field.ErrorList {
	var errs field.ErrorList
	hasPodNet := len(s.Networks) == 0 // the default pod network is added by defaulting
	for _, n := range s.Networks {
		if n.Pod != nil {
			hasPodNet = true
		}
	}
	for _, p := range []struct {
		name  string
		probe *virtv1.Probe
	}{{"livenessProbe", s.LivenessProbe}, {"readinessProbe", s.ReadinessProbe}} {
		if p.probe == nil {
			continue
		}
		fld := spec.Child(p.name)
		n := countTrue(p.probe.HTTPGet != nil, p.probe.TCPSocket != nil, p.probe.Exec != nil, p.probe.GuestAgentPing != nil)
		if n != 1 {
			errs = append(errs, field.Invalid(fld, n, "a probe needs exactly one of httpGet, tcpSocket, exec or guestAgentPing"))
		}
		if (p.probe.HTTPGet != nil || p.probe.TCPSocket != nil) && !hasPodNet {
			errs = append(errs, field.Invalid(fld, "", "httpGet and tcpSocket probes need a pod network"))
		}
	}
	return errs
}

// validateFirmware allows one bootloader and secure boot only with SMM.
func validateFirmware(domain *field.Path, d *virtv1.DomainSpec) field.ErrorList {
	fw := d.Firmware
	if fw == nil || fw.Bootloader == nil {
		return nil
	}
	var errs field.ErrorList
	bl := domain.Child("firmware", "bootloader")
	if fw.Bootloader.BIOS != nil && fw.Bootloader.EFI != nil {
		errs = append(errs, field.Invalid(bl, "", "only one of bios and efi may be set"))
	}
	efi := fw.Bootloader.EFI
	secure := efi != nil && (efi.SecureBoot == nil || *efi.SecureBoot)
	smmOff := d.Features == nil || d.Features.SMM == nil || (d.Features.SMM.Enabled != nil && !*d.Features.SMM.Enabled)
	if secure && smmOff && d.Features != nil && d.Features.SMM != nil {
		errs = append(errs, field.Invalid(bl.Child("efi", "secureBoot"), true, "secure boot needs the SMM feature enabled"))
	}
	return errs
}

// Kubernetes' DNS limits, which the launcher pod inherits.
const (
	maxDNSNameservers = 3
	maxDNSSearches    = 6
)

var (
	supportedDNSPolicies = []string{
		string(corev1.DNSClusterFirstWithHostNet), string(corev1.DNSClusterFirst), string(corev1.DNSDefault), string(corev1.DNSNone),
	}
	supportedEvictionStrategies = []string{
		string(virtv1.EvictionStrategyNone), string(virtv1.EvictionStrategyLiveMigrate),
		string(virtv1.EvictionStrategyLiveMigrateIfPossible), string(virtv1.EvictionStrategyExternal),
	}
)

// validatePodLevel checks the fields copied to the launcher pod: DNS policy and
// config, eviction strategy and access credential sources.
func validatePodLevel(spec *field.Path, s *virtv1.VirtualMachineInstanceSpec) field.ErrorList {
	var errs field.ErrorList
	if p := string(s.DNSPolicy); p != "" && !contains(supportedDNSPolicies, p) {
		errs = append(errs, field.NotSupported(spec.Child("dnsPolicy"), p, supportedDNSPolicies))
	}
	if s.DNSPolicy == corev1.DNSNone && (s.DNSConfig == nil || len(s.DNSConfig.Nameservers) == 0) {
		errs = append(errs, field.Required(spec.Child("dnsConfig", "nameservers"), "dnsPolicy None needs at least one nameserver"))
	}
	if c := s.DNSConfig; c != nil {
		if len(c.Nameservers) > maxDNSNameservers {
			errs = append(errs, field.TooMany(spec.Child("dnsConfig", "nameservers"), len(c.Nameservers), maxDNSNameservers))
		}
		if len(c.Searches) > maxDNSSearches {
			errs = append(errs, field.TooMany(spec.Child("dnsConfig", "searches"), len(c.Searches), maxDNSSearches))
		}
		for i, ns := range c.Nameservers {
			if net.ParseIP(ns) == nil {
				errs = append(errs, field.Invalid(spec.Child("dnsConfig", "nameservers").Index(i), ns, "must be an IP address"))
			}
		}
	}
	if e := s.EvictionStrategy; e != nil && !contains(supportedEvictionStrategies, *e) {
		errs = append(errs, field.NotSupported(spec.Child("evictionStrategy"), *e, supportedEvictionStrategies))
	}
	for i, ac := range s.AccessCredentials {
		errs = append(errs, validateAccessCredential(spec.Child("accessCredentials").Index(i), ac)...)
	}
	return append(errs, validateStartStrategy(spec, s)...)
}

// validateStartStrategy follows upstream: Paused is the only strategy, and a
// VMI that starts paused cannot have a liveness probe (it would fail while the
// guest does not run).
func validateStartStrategy(spec *field.Path, s *virtv1.VirtualMachineInstanceSpec) field.ErrorList {
	st := s.StartStrategy
	switch {
	case st == nil:
		return nil
	case *st != virtv1.StartStrategyPaused:
		return field.ErrorList{field.NotSupported(spec.Child("startStrategy"), string(*st), []string{string(virtv1.StartStrategyPaused)})}
	case s.LivenessProbe != nil:
		return field.ErrorList{field.Invalid(spec.Child("startStrategy"), string(*st),
			fmt.Sprintf("either %s or %s should be provided: pausing a VMI with a liveness probe is not supported",
				spec.Child("startStrategy"), spec.Child("livenessProbe")))}
	}
	return nil
}

// validateAccessCredential follows upstream: one of sshPublicKey and
// userPassword, a Secret, exactly one propagation method, and at least one user
// for SSH keys pushed through the guest agent. What kvirt does not implement
// (keys in a cloud-init seed) is refused by the unsupported-fields table.
func validateAccessCredential(fld *field.Path, ac virtv1.AccessCredential) field.ErrorList {
	switch {
	case ac.SSHPublicKey != nil && ac.UserPassword != nil:
		return field.ErrorList{field.Invalid(fld, "", "only one of sshPublicKey and userPassword may be set")}
	case ac.SSHPublicKey != nil:
		return validateSSHCredential(fld.Child("sshPublicKey"), ac.SSHPublicKey)
	case ac.UserPassword != nil:
		var errs field.ErrorList
		if ac.UserPassword.Source.Secret == nil || ac.UserPassword.Source.Secret.SecretName == "" {
			errs = append(errs, field.Required(fld.Child("userPassword", "source", "secret", "secretName"), ""))
		}
		if ac.UserPassword.PropagationMethod.QemuGuestAgent == nil {
			errs = append(errs, field.Required(fld.Child("userPassword", "propagationMethod"),
				"exactly one propagation method is required: qemuGuestAgent"))
		}
		return errs
	default:
		return field.ErrorList{field.Required(fld, "one of sshPublicKey and userPassword is required")}
	}
}

func validateSSHCredential(fld *field.Path, c *virtv1.SSHPublicKeyAccessCredential) field.ErrorList {
	var errs field.ErrorList
	if c.Source.Secret == nil || c.Source.Secret.SecretName == "" {
		errs = append(errs, field.Required(fld.Child("source", "secret", "secretName"), ""))
	}
	pm := c.PropagationMethod
	methods := 0
	for _, set := range []bool{pm.NoCloud != nil, pm.ConfigDrive != nil, pm.QemuGuestAgent != nil} {
		if set {
			methods++
		}
	}
	if methods != 1 {
		errs = append(errs, field.Invalid(fld.Child("propagationMethod"), methods,
			"exactly one propagation method is required: noCloud, configDrive or qemuGuestAgent"))
	}
	if pm.QemuGuestAgent != nil && len(pm.QemuGuestAgent.Users) == 0 {
		errs = append(errs, field.Required(fld.Child("propagationMethod", "qemuGuestAgent", "users"),
			"at least one user is required"))
	}
	return errs
}
