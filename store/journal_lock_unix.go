//go:build unix

package store

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockingWorks: segments are protected by flock(2).
const lockingWorks = true

// lockSegment takes the segment's lock without waiting; false means
// another live process (or this one) owns it. The lock goes with the
// process, so a crashed writer's segments become free for recovery.
func lockSegment(f *os.File) (bool, error) {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
