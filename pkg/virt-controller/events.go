package virtcontroller

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"

	kvirtscheme "kvirt.io/client-go/generated/clientset/versioned/scheme"
)

// eventRecorder records the controllers' Kubernetes Events (component
// virt-controller) through kube until stop is called.
func eventRecorder(ctx context.Context, kube kubernetes.Interface) (rec record.EventRecorder, stop func()) {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(kvirtscheme.AddToScheme(scheme))
	b := record.NewBroadcaster(record.WithContext(ctx))
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: kube.CoreV1().Events("")})
	return b.NewRecorder(scheme, corev1.EventSource{Component: "virt-controller"}), b.Shutdown
}
