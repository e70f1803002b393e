package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync makes a journal segment's appended records durable; the
// segment's size changes, which fdatasync covers, its times need not.
func datasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }

// syncFileSystem flushes every pending write of the file system holding f
// with one syncfs(2): a checkpoint's thousands of files and directories
// for the price of one flush. Linux reports write-back errors through it
// since 5.8.
func syncFileSystem(f *os.File) (bool, error) { return true, unix.Syncfs(int(f.Fd())) }
