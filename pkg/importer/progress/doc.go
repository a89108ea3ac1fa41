// Package progress counts the bytes an import has read from its source and serves
// the share done as plain text on GET /progress (a decimal percent such as
// "45.20"), which the DataVolume controller copies into status.progress. It must
// not import the rest of the importer.
package progress
