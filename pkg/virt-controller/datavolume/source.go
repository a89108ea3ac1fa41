package datavolume

import (
	"fmt"

	cdiv1beta1 "kvirt.io/api/cdi/v1beta1"
)

// SourceKind is what the importer's --source flag says.
type SourceKind string

// The sources the importer knows.
const (
	SourceHTTP     SourceKind = "http"
	SourceRegistry SourceKind = "registry"
	SourceBlank    SourceKind = "blank"
	SourcePVC      SourceKind = "pvc"
	SourceUpload   SourceKind = "upload"
)

// Source is a DataVolume's source with any DataSource reference resolved.
type Source struct {
	Kind SourceKind
	// Endpoint is the http(s) URL or the registry image reference.
	Endpoint string
	// SecretRef and CertConfigMap name the credentials Secret and CA ConfigMap.
	SecretRef, CertConfigMap string
	// ClaimNamespace and ClaimName are the claim a clone reads.
	ClaimNamespace, ClaimName string
}

// Problem is why a DataVolume cannot go on: Terminal ones (phase Failed) need a
// spec change, the others resolve themselves (a DataSource or source claim that
// appears later).
type Problem struct {
	Reason, Message string
	Terminal        bool
}

func (p *Problem) Error() string { return p.Reason + ": " + p.Message }

// Reasons of Problems, on the Running condition and in Events.
const (
	ReasonUnsupportedSource  = "UnsupportedSource"
	ReasonInvalidSpec        = "InvalidSpec"
	ReasonDataSourceNotFound = "DataSourceNotFound"
	ReasonDataSourceNotReady = "DataSourceNotReady"
	ReasonCloneWithoutSource = "CloneWithoutSource"
	ReasonCrossNamespace     = "CrossNamespaceCloneUnsupported"
)

// DataSourceGetter returns a DataSource or nil when there is none.
type DataSourceGetter func(namespace, name string) *cdiv1beta1.DataSource

// ResolveSource turns spec.source or spec.sourceRef into the Source the
// importer is given.
func ResolveSource(dv *cdiv1beta1.DataVolume, dataSources DataSourceGetter) (Source, *Problem) {
	if ref := dv.Spec.SourceRef; ref != nil {
		if dv.Spec.Source != nil {
			return Source{}, &Problem{ReasonInvalidSpec, "spec.source and spec.sourceRef are exclusive", true}
		}
		return resolveRef(dv, ref, dataSources)
	}
	s := dv.Spec.Source
	switch {
	case s == nil:
		return Source{}, &Problem{ReasonInvalidSpec, "spec.source or spec.sourceRef is required", true}
	case s.HTTP != nil:
		return Source{Kind: SourceHTTP, Endpoint: s.HTTP.URL, SecretRef: s.HTTP.SecretRef, CertConfigMap: s.HTTP.CERTConfigMap}, nil
	case s.Registry != nil:
		r := s.Registry
		if r.URL == "" {
			return Source{}, &Problem{ReasonUnsupportedSource, "registry source needs url (imageStream is not supported)", true}
		}
		if r.PullMethod == "node" {
			return Source{}, &Problem{ReasonUnsupportedSource, "registry pullMethod node is not supported", true}
		}
		return Source{Kind: SourceRegistry, Endpoint: r.URL, SecretRef: r.SecretRef, CertConfigMap: r.CERTConfigMap}, nil
	case s.Blank != nil:
		return Source{Kind: SourceBlank}, nil
	case s.Upload != nil:
		return Source{Kind: SourceUpload}, nil
	case s.PVC != nil:
		return cloneSource(dv, s.PVC.Namespace, s.PVC.Name)
	}
	return Source{}, &Problem{ReasonUnsupportedSource, "kvirt's DataVolume controller imports from http, registry, blank, pvc, upload " +
		"and sourceRef only (s3, gcs, imageio, vddk and snapshot need CDI)", true}
}

func resolveRef(dv *cdiv1beta1.DataVolume, ref *cdiv1beta1.DataVolumeSourceRef, dataSources DataSourceGetter) (Source, *Problem) {
	if ref.Kind != cdiv1beta1.DataSourceKind {
		return Source{}, &Problem{ReasonUnsupportedSource, fmt.Sprintf("sourceRef kind %q: only DataSource", ref.Kind), true}
	}
	ns := ref.Namespace
	if ns == "" {
		ns = dv.Namespace
	}
	// One level of DataSource → DataSource, as CDI allows.
	for depth := 0; ; depth++ {
		ds := dataSources(ns, ref.Name)
		if ds == nil {
			return Source{}, &Problem{Reason: ReasonDataSourceNotFound, Message: fmt.Sprintf("DataSource %s/%s not found", ns, ref.Name)}
		}
		src := ds.Spec.Source
		switch {
		case src.PVC != nil:
			return cloneSource(dv, orDefault(src.PVC.Namespace, ds.Namespace), src.PVC.Name)
		case src.DataSource != nil && depth == 0:
			ns, ref = orDefault(src.DataSource.Namespace, ds.Namespace), &cdiv1beta1.DataVolumeSourceRef{Name: src.DataSource.Name}
		case src.DataSource != nil:
			return Source{}, &Problem{ReasonInvalidSpec, fmt.Sprintf("DataSource %s/%s: references nest more than one level", ns, ds.Name), true}
		case src.Snapshot != nil:
			return Source{}, &Problem{ReasonUnsupportedSource, fmt.Sprintf("DataSource %s/%s: snapshot sources need CDI", ns, ds.Name), true}
		default:
			return Source{}, &Problem{Reason: ReasonDataSourceNotReady, Message: fmt.Sprintf("DataSource %s/%s has no pvc source", ns, ds.Name)}
		}
	}
}

func cloneSource(dv *cdiv1beta1.DataVolume, ns, name string) (Source, *Problem) {
	ns = orDefault(ns, dv.Namespace)
	if ns != dv.Namespace {
		return Source{}, &Problem{ReasonCrossNamespace, fmt.Sprintf(
			"cloning %s/%s into namespace %s: kvirt clones within one namespace only", ns, name, dv.Namespace), true}
	}
	return Source{Kind: SourcePVC, ClaimNamespace: ns, ClaimName: name}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
