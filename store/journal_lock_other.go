//go:build !unix

package store

import "os"

const lockingWorks = false

// lockSegment has no advisory lock to take here; recovery relies on the
// segment's age instead (see RecoverDeliveries).
func lockSegment(*os.File) (bool, error) { return true, nil }
