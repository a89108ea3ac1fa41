// Package uploadcontract holds the names shared by the DataVolume controller's
// upload server pods and virt-api's upload proxy: the pod's name, port and path,
// and the annotation that pins the upload server's certificate. It holds
// constants only and must import nothing of kvirt.
package uploadcontract
