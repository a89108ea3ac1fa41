package promtext

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// KeySep separates the label values of a group key.
const KeySep = "|"

// Counts maps a group key (the grouping labels' values joined by KeySep, in the
// order given to SumBy) to a value.
type Counts map[string]float64

// Families is a parsed exposition by metric name.
type Families map[string]*dto.MetricFamily

// Parse reads a Prometheus text exposition.
func Parse(r io.Reader) (Families, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("parse metrics: %w", err)
	}
	return fams, nil
}

// SumBy sums the counter or gauge name over all series, grouped by the values of
// labels (a missing label groups as ""). A missing metric gives empty Counts.
func (f Families) SumBy(name string, labels ...string) Counts {
	out := Counts{}
	fam, ok := f[name]
	if !ok {
		return out
	}
	for _, m := range fam.GetMetric() {
		values := make(map[string]string, len(m.GetLabel()))
		for _, l := range m.GetLabel() {
			values[l.GetName()] = l.GetValue()
		}
		key := make([]string, len(labels))
		for i, l := range labels {
			key[i] = values[l]
		}
		out[strings.Join(key, KeySep)] += value(m)
	}
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}

// Delta returns the increase of each group from before to after, leaving out
// groups that did not increase. A group whose value fell (the process restarted
// and its counter began again) counts its whole after value.
func Delta(before, after Counts) Counts {
	out := Counts{}
	for k, a := range after {
		d := a - before[k]
		if a < before[k] {
			d = a
		}
		if d > 0 {
			out[k] = d
		}
	}
	return out
}

// Total is the sum of all groups.
func (c Counts) Total() float64 {
	t := 0.0
	for _, v := range c {
		t += v
	}
	return t
}

// Keys returns the group keys sorted by descending value, then by key.
func (c Counts) Keys() []string {
	keys := slices.Collect(maps.Keys(c))
	slices.SortFunc(keys, func(a, b string) int {
		if c[a] != c[b] {
			if c[a] > c[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// Split returns the label values of a group key.
func Split(key string) []string { return strings.Split(key, KeySep) }
