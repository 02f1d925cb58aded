//go:build unix

package commoncrawl

import (
	"syscall"
	"time"
)

// processCPU returns the user+system CPU time of the process: on a shared
// machine, MB per CPU-second is steadier than MB per wall second.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
