package store

import (
	"net/netip"
	"strings"
)

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
