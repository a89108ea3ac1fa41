// Package deviceplugin advertises a node's device files (/dev/kvm, /dev/net/tun,
// /dev/vhost-net) to the kubelet as extended resources through the kubelet device
// plugin API v1beta1, so launcher pods that request them are scheduled where they
// exist and get the device node in their container. It re-registers whenever the
// kubelet restarts (the kubelet then recreates its registration socket and removes
// the plugins' sockets).
package deviceplugin
