package cmdserver

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"k8s.io/klog/v2"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/virt-launcher/domain"
	launcherv1 "kvirt.io/kvirt/proto/launcher/v1"
)

// Migrator is the launcher's half of a live migration (virtmanager.Manager).
type Migrator interface {
	PrepareMigrationTarget(vmi *virtv1.VirtualMachineInstance, acc domain.Accelerator,
		podIfaces []*launcherv1.PodInterface) (string, error)
	Migrate(ctx context.Context, req *launcherv1.MigrateRequest, done func()) error
	AbortMigration() error
	Migration() *launcherv1.MigrationStatus
}

// SetMigrator serves the migration RPCs through m; without it they answer
// Unimplemented.
func (s *Server) SetMigrator(m Migrator) { s.migrator = m }

var errNoMigrator = status.Error(codes.Unimplemented, "this launcher does not migrate")

// PrepareMigrationTarget lays the VMI out for an incoming migration and
// returns the domain definition with this launcher's paths.
func (s *Server) PrepareMigrationTarget(_ context.Context, req *launcherv1.SyncVMIRequest) (
	*launcherv1.MigrationTargetResponse, error) {
	if s.migrator == nil {
		return nil, errNoMigrator
	}
	vmi, acc, err := s.decodeVMI(req)
	if err != nil {
		return &launcherv1.MigrationTargetResponse{Result: result(err)}, nil
	}
	xml, err := s.migrator.PrepareMigrationTarget(vmi, acc, req.PodInterfaces)
	if err == nil && s.creds != nil {
		s.creds.SetSpec(vmi.Spec.AccessCredentials)
	}
	s.changed()
	return &launcherv1.MigrationTargetResponse{Result: result(err), DomainXml: xml}, nil
}

// Migrate starts the outgoing migration.
func (s *Server) Migrate(ctx context.Context, req *launcherv1.MigrateRequest) (*launcherv1.Result, error) {
	if s.migrator == nil {
		return nil, errNoMigrator
	}
	if req.TargetDomainXml == "" {
		return result(errors.New("target_domain_xml: the target launcher's domain is required")), nil
	}
	defer s.changed()
	return result(s.migrator.Migrate(klog.NewContext(s.ctx, klog.FromContext(ctx)), req, s.changed)), nil
}

// AbortMigration cancels the running migration.
func (s *Server) AbortMigration(context.Context, *launcherv1.Empty) (*launcherv1.Result, error) {
	if s.migrator == nil {
		return nil, errNoMigrator
	}
	defer s.changed()
	return result(s.migrator.AbortMigration()), nil
}

// GetMigration reports the outgoing migration.
func (s *Server) GetMigration(context.Context, *launcherv1.Empty) (*launcherv1.MigrationStatus, error) {
	if s.migrator == nil {
		return nil, errNoMigrator
	}
	return s.migrator.Migration(), nil
}
