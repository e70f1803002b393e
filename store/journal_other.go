//go:build !linux

package store

import "os"

func datasync(f *os.File) error { return f.Sync() }

// syncFileSystem is not available: checkpoints sync file by file.
func syncFileSystem(*os.File) (bool, error) { return false, nil }
