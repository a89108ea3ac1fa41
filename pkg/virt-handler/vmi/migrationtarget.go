package vmi

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-handler/launcherclient"
	"kvirt.io/kvirt/pkg/virt-handler/migration"
	"kvirt.io/kvirt/pkg/virt-handler/statestore"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// migrationWait is how often a migration this node takes part in is looked
// at while nothing reports (the launchers' events come sooner).
const migrationWait = time.Second

// syncTarget drives this node's half of a migration coming here: the target
// launcher is prepared, the address the source reaches this handler at is
// published, and the VMI is taken over once the source says the migration
// completed and the domain runs here.
func (c *Controller) syncTarget(ctx context.Context, vmi *virtv1.VirtualMachineInstance, rec *statestore.Record) (time.Duration, error) {
	st := vmi.Status.MigrationState
	obs := migration.TargetObserved{Address: c.cfg.MigrationAddress, Port: c.cfg.MigrationPort}
	if rec.Migration != nil && rec.Migration.UID == st.MigrationUID {
		obs.PreparedFor = st.MigrationUID
	}
	cl, err := c.launcher(ctx, vmi.Namespace, vmi.UID)
	if err == nil {
		c.track(rec.UID, vmi.Namespace+"/"+vmi.Name)
		obs.LauncherUp = true
		if resp, derr := getDomain(ctx, cl); derr == nil && resp.Domain != nil {
			rec.SetDomain(resp.Domain)
			obs.DomainRunning = resp.Domain.State == "Running"
		}
	}
	step := migration.Target(vmi, obs, metav1.Now())
	if step.Action == migration.TargetPrepare {
		if err := c.prepareTarget(ctx, cl, vmi, rec); err != nil {
			return 0, err
		}
		obs.PreparedFor = st.MigrationUID
		step = migration.Target(vmi, obs, metav1.Now())
	}
	if err := c.cfg.Store.Put(*rec); err != nil {
		return 0, err
	}
	switch step.Action {
	case migration.TargetReport:
		return migrationWait, c.patchMigrationState(ctx, vmi, step.State, targetFields, false)
	case migration.TargetTakeOver:
		klog.FromContext(ctx).Info("migration completed: taking the VMI over", "vmi", klog.KObj(vmi),
			"migration", st.MigrationUID, "from", st.SourceNode)
		return 0, c.patchMigrationState(ctx, vmi, step.State, targetFields, true)
	}
	return migrationWait, nil
}

// prepareTarget lays the target launcher out for the VMI (volumes, pod
// network) and remembers the domain it will receive, which the source
// fetches through the migration proxy.
func (c *Controller) prepareTarget(ctx context.Context, cl *launcherclient.Client, vmi *virtv1.VirtualMachineInstance,
	rec *statestore.Record) error {
	raw, err := json.Marshal(vmi)
	if err != nil {
		return fmt.Errorf("encode vmi: %w", err)
	}
	podIfaces, err := c.buildPodNetwork(ctx, cl, vmi, rec)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	resp, err := cl.PrepareMigrationTarget(rctx, &launcherv1.SyncVMIRequest{VmiJson: raw,
		Accelerator: c.cfg.Accelerator, PodInterfaces: podIfaces})
	if err != nil {
		return fmt.Errorf("prepare the migration target: %w", err)
	}
	if err := launcherclient.Check(resp.Result, nil); err != nil {
		return fmt.Errorf("prepare the migration target: %w", err)
	}
	rec.Migration = &statestore.Migration{UID: vmi.Status.MigrationState.MigrationUID, DomainXML: resp.DomainXml}
	klog.FromContext(ctx).Info("migration target prepared", "vmi", klog.KObj(vmi),
		"migration", rec.Migration.UID, "from", vmi.Status.MigrationState.SourceNode)
	return nil
}

// The migrationState fields each side owns (JSON names), and how to read
// them from a state.
var (
	targetFields = map[string]func(*virtv1.VirtualMachineInstanceMigrationState) any{
		"targetNodeAddress":              func(s *virtv1.VirtualMachineInstanceMigrationState) any { return orNull(s.TargetNodeAddress) },
		"targetDirectMigrationNodePorts": func(s *virtv1.VirtualMachineInstanceMigrationState) any { return s.TargetDirectMigrationNodePorts },
		"targetNodeDomainDetected":       func(s *virtv1.VirtualMachineInstanceMigrationState) any { return s.TargetNodeDomainDetected },
		"targetNodeDomainReadyTimestamp": func(s *virtv1.VirtualMachineInstanceMigrationState) any { return s.TargetNodeDomainReadyTimestamp },
	}
	sourceFields = map[string]func(*virtv1.VirtualMachineInstanceMigrationState) any{
		"startTimestamp": func(s *virtv1.VirtualMachineInstanceMigrationState) any { return s.StartTimestamp },
		"endTimestamp":   func(s *virtv1.VirtualMachineInstanceMigrationState) any { return s.EndTimestamp },
		"mode":           func(s *virtv1.VirtualMachineInstanceMigrationState) any { return orNull(string(s.Mode)) },
		"sourcePod":      func(s *virtv1.VirtualMachineInstanceMigrationState) any { return orNull(s.SourcePod) },
		"completed":      func(s *virtv1.VirtualMachineInstanceMigrationState) any { return s.Completed },
		"failed":         func(s *virtv1.VirtualMachineInstanceMigrationState) any { return s.Failed },
		"failureReason":  func(s *virtv1.VirtualMachineInstanceMigrationState) any { return orNull(s.FailureReason) },
		"abortStatus":    func(s *virtv1.VirtualMachineInstanceMigrationState) any { return orNull(s.AbortStatus) },
	}
)

// patchMigrationState writes one side's fields of st, with optimistic
// locking and only while the VMI's migration is still st's. takeOver also
// moves the VMI to this node (status.nodeName and its label).
func (c *Controller) patchMigrationState(ctx context.Context, vmi *virtv1.VirtualMachineInstance,
	st *virtv1.VirtualMachineInstanceMigrationState, fields map[string]func(*virtv1.VirtualMachineInstanceMigrationState) any,
	takeOver bool) error {
	ms := map[string]any{}
	for name, get := range fields {
		ms[name] = get(st)
	}
	status := map[string]any{"migrationState": ms}
	meta := map[string]any{"resourceVersion": vmi.ResourceVersion}
	if takeOver {
		status["nodeName"] = c.cfg.NodeName
		meta["labels"] = map[string]any{virtv1.NodeNameLabel: c.cfg.NodeName}
	}
	raw, err := json.Marshal(map[string]any{"metadata": meta, "status": status})
	if err != nil {
		return fmt.Errorf("encode migration state patch: %w", err)
	}
	_, err = c.cfg.Client.KubevirtV1().VirtualMachineInstances(vmi.Namespace).Patch(ctx, vmi.Name,
		types.MergePatchType, raw, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("patch the migration state of %s/%s: %w", vmi.Namespace, vmi.Name, err)
	}
	return nil
}
