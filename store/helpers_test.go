package store

import "net/netip"

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
