package james

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ParseSize reads a James size (org.apache.james.util.Size): a whole
// number with an optional unit B, K, M or G (powers of 1024, either case);
// a number without a unit is in defaultUnit. "unlimited" is 0 (no limit).
func ParseSize(s string, defaultUnit byte) (int64, error) {
	v := strings.TrimSpace(s)
	if strings.EqualFold(v, "unlimited") {
		return 0, nil
	}
	if v == "" {
		return 0, errors.New("empty size: give a number such as 10M")
	}
	unit := defaultUnit
	if last := v[len(v)-1]; last < '0' || last > '9' {
		unit = last
		v = v[:len(v)-1]
	}
	var mult int64
	switch unit {
	case 'B', 'b':
		mult = 1
	case 'K', 'k':
		mult = 1 << 10
	case 'M', 'm':
		mult = 1 << 20
	case 'G', 'g':
		mult = 1 << 30
	default:
		return 0, fmt.Errorf("size %q has unit %q: write a whole number with an optional unit B, K, M or G, e.g. 10M", s, string(unit))
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q: write a whole number with an optional unit B, K, M or G, e.g. 10M", s)
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * mult, nil
}

// parseBool reads a boolean the way Apache Commons Configuration does.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "y", "t":
		return true, nil
	case "false", "no", "off", "n", "f":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean: use true or false", s)
}

// parseInt reads a Java int.
func parseInt(s string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return int(n), nil
}

// ParseBinds reads James's bind value, "host:port[,host:port]", into
// host:port addresses. A bracketed IPv6 host ([::1]:25) is accepted too.
func ParseBinds(s string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("empty address in %q: write host:port[,host:port]", s)
		}
		host, port, err := net.SplitHostPort(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not host:port", item)
		}
		host, port = strings.TrimSpace(host), strings.TrimSpace(port)
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("port %q in %q is not a number from 0 to 65535", port, item)
		}
		if !validHost(host) {
			return nil, fmt.Errorf("host %q in %q is neither an IP address nor a host name", host, item)
		}
		out = append(out, net.JoinHostPort(host, strconv.FormatUint(p, 10)))
	}
	return out, nil
}

// validHost accepts an IP address or a DNS host name.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// ParseNetwork reads one entry of James's authorizedAddresses (its
// NetMatcher forms): an address, address/bits, address/dotted-mask, or an
// IPv4 wildcard such as 192.168.*. Host names are not networks: an error.
func ParseNetwork(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "*") {
		return wildcardNetwork(s)
	}
	addrPart, maskPart, hasMask := strings.Cut(s, "/")
	addr, err := netip.ParseAddr(addrPart)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or network (host names are not supported here)", s)
	}
	addr = addr.Unmap()
	bits := addr.BitLen()
	if hasMask {
		if bits, err = maskBits(addr, maskPart); err != nil {
			return netip.Prefix{}, fmt.Errorf("network %q: %w", s, err)
		}
	}
	return addr.Prefix(bits)
}

func maskBits(addr netip.Addr, mask string) (int, error) {
	if n, err := strconv.Atoi(mask); err == nil {
		if n < 0 || n > addr.BitLen() {
			return 0, fmt.Errorf("prefix length %d is out of range", n)
		}
		return n, nil
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || !m.Is4() || !addr.Is4() {
		return 0, fmt.Errorf("mask %q is neither a prefix length nor an IPv4 netmask", mask)
	}
	ones, size := net.IPMask(m.AsSlice()).Size()
	if size == 0 {
		return 0, fmt.Errorf("mask %q is not contiguous", mask)
	}
	return ones, nil
}

// wildcardNetwork turns 10.* or 192.168.1.* into a prefix.
func wildcardNetwork(s string) (netip.Prefix, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 wildcard such as 192.168.*", s)
	}
	var octets [4]byte
	for i, p := range parts[:len(parts)-1] {
		n, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 wildcard such as 192.168.*", s)
		}
		octets[i] = byte(n)
	}
	if parts[len(parts)-1] != "*" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 wildcard such as 192.168.*", s)
	}
	return netip.AddrFrom4(octets).Prefix(8 * (len(parts) - 1))
}

// timeUnits are java.util.concurrent.TimeUnit's names.
var timeUnits = map[string]time.Duration{
	"NANOSECONDS": time.Nanosecond, "MICROSECONDS": time.Microsecond, "MILLISECONDS": time.Millisecond,
	"SECONDS": time.Second, "MINUTES": time.Minute, "HOURS": time.Hour, "DAYS": 24 * time.Hour,
}

// scaleDuration multiplies n units, refusing negative values and overflow.
func scaleDuration(n int64, unit time.Duration) (time.Duration, error) {
	if n < 0 {
		return 0, fmt.Errorf("%d is negative", n)
	}
	if n > int64(math.MaxInt64/unit) {
		return 0, fmt.Errorf("%d is too long a time", n)
	}
	return time.Duration(n) * unit, nil
}
