package certs

// NodeAPIClientCommonName is the subject of virt-api's client certificate for
// virt-handler's node API: virt-operator issues it and virt-handler accepts no
// other name by default, so no other certificate of the same CA (a handler's
// own serving certificate, say) reaches a VMI's console.
const NodeAPIClientCommonName = "kubevirt.io:system:client:virt-handler"
