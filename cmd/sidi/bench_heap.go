package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// heapWatch samples the Go heap while an import runs: the peak of
// HeapInuse (what the bench commands print as "Go heap in use peak"), and,
// when asked (--memprofile), a heap profile taken each time the peak grew
// by a tenth, so the one kept is that of the peak (its in-use figures are
// those of the last collection before it).
type heapWatch struct {
	stop    chan struct{}
	done    chan struct{}
	base    uint64
	peak    uint64
	profile bytes.Buffer
	err     error
}

// watchHeap collects the garbage, then samples the heap every 50 ms until
// end is called; profile asks for the heap profile at the peak.
func watchHeap(profile bool) *heapWatch {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w := &heapWatch{stop: make(chan struct{}), done: make(chan struct{}), base: m.HeapInuse}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		var profiled uint64
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > w.peak {
				w.peak = m.HeapInuse
				if profile && w.err == nil && w.peak > profiled+profiled/10 {
					profiled = w.peak
					w.profile.Reset()
					w.err = pprof.Lookup("heap").WriteTo(&w.profile, 0)
				}
			}
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// end stops the sampling; the peak and the heap before are then final.
func (w *heapWatch) end() {
	close(w.stop)
	<-w.done
}

// line is the bench commands' wording of the peak, in MB.
func (w *heapWatch) line() string {
	return fmt.Sprintf("Go heap in use peak %.0f MB (%.0f MB before)", float64(w.peak)/(1<<20), float64(w.base)/(1<<20))
}

// writeProfile writes the heap profile of the peak to path (nothing when
// path is empty).
func (w *heapWatch) writeProfile(path string) error {
	if path == "" {
		return nil
	}
	if w.err != nil {
		return fmt.Errorf("--memprofile: %w", w.err)
	}
	if err := os.WriteFile(path, w.profile.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--memprofile: %w", err)
	}
	return nil
}
