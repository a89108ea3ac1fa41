package report

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Plot file names.
const (
	PlotRunning    = "kwok-running.png"
	PlotQueueDepth = "kwok-workqueue-depth.png"
	PlotQueueP99   = "kwok-workqueue-p99.png"
	PlotRSS        = "kwok-rss.png"
)

// series is one line of a plot: y over the samples' seconds.
type series struct {
	name string
	y    func(Sample) (float64, bool)
}

// WritePlots draws the time series of r into dir and returns the file names
// written: VMIs Running (and existing, and pods) always; workqueue depth, p99 queue
// latency and RSS when the samples carry them.
func WritePlots(r *Report, dir string) ([]string, error) {
	type chart struct {
		file, title, y string
		lines          []series
	}
	charts := []chart{
		{PlotRunning, "VMIs over time", "count", []series{
			{"Running", func(s Sample) (float64, bool) { return float64(s.Running), true }},
			{"VMIs", func(s Sample) (float64, bool) { return float64(s.VMIs), true }},
			{"pods", func(s Sample) (float64, bool) { return float64(s.Pods), true }},
		}},
		{PlotQueueDepth, "workqueue depth", "items", mapSeries(r.Samples, func(s Sample) map[string]float64 { return s.QueueDepth }, 1)},
		{PlotQueueP99, "workqueue queue latency p99", "seconds", mapSeries(r.Samples, func(s Sample) map[string]float64 { return s.QueueP99 }, 1)},
		{PlotRSS, "resident memory", "MiB", mapSeries(r.Samples, func(s Sample) map[string]float64 { return s.RSS }, 1<<20)},
	}
	var written []string
	for _, c := range charts {
		if len(c.lines) == 0 || len(r.Samples) == 0 {
			continue
		}
		if err := draw(filepath.Join(dir, c.file), c.title, c.y, r.Samples, c.lines); err != nil {
			return written, err
		}
		written = append(written, c.file)
	}
	return written, nil
}

// mapSeries makes one line per key of the maps get returns, values divided by div.
func mapSeries(samples []Sample, get func(Sample) map[string]float64, div float64) []series {
	keys := map[string]bool{}
	for _, s := range samples {
		for k := range get(s) {
			keys[k] = true
		}
	}
	var out []series
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		out = append(out, series{k, func(s Sample) (float64, bool) {
			v, ok := get(s)[k]
			return v / div, ok
		}})
	}
	return out
}

func draw(path, title, yLabel string, samples []Sample, lines []series) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "seconds since start"
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	var args []any
	for _, l := range lines {
		var xys plotter.XYs
		for _, s := range samples {
			if y, ok := l.y(s); ok {
				xys = append(xys, plotter.XY{X: s.Seconds, Y: y})
			}
		}
		if len(xys) > 0 {
			args = append(args, l.name, xys)
		}
	}
	if err := plotutil.AddLines(p, args...); err != nil {
		return fmt.Errorf("plot %s: %w", title, err)
	}
	p.Legend.Top = true
	if err := p.Save(20*vg.Centimeter, 12*vg.Centimeter, path); err != nil {
		return fmt.Errorf("save plot %s: %w", path, err)
	}
	return nil
}
