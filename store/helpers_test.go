package store

import (
	"net/netip"
	"strconv"
	"strings"
)

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
