// Package report holds the figures of one KWOK density run (Report, also written as
// kwok-report.json) and renders them: kwok-report.md with upstream's thresholds side
// by side, and PNG plots of the time series drawn with gonum/plot. It computes
// nothing from the cluster and must not import client code.
package report
