package conf

import (
	"fmt"
	"math/bits"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// parseNetworks parses mynetworks: entries separated by commas or spaces,
// each a CIDR prefix ("10.0.0.0/8"), an address with a dotted netmask
// ("192.168.0.0/255.255.0.0", as Hedwig's InetAddressMatcher allows) or a
// single address. Prefixes are masked, since Hedwig compares only the network
// bits. IPv6 is accepted too, which Hedwig was not.
func parseNetworks(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		p, err := parseNetwork(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func parseNetwork(s string) (netip.Prefix, error) {
	addrText, maskText, hasMask := strings.Cut(s, "/")
	addr, err := parseAddr(addrText)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q: %w", s, err)
	}
	bitsLen := addr.BitLen()
	if !hasMask {
		return netip.PrefixFrom(addr, bitsLen), nil
	}
	var length int
	if strings.Contains(maskText, ".") {
		length, err = netmaskLength(maskText)
		if err == nil && !addr.Is4() {
			err = fmt.Errorf("a dotted netmask needs an IPv4 address")
		}
	} else {
		length, err = strconv.Atoi(maskText)
		if err == nil && (length < 0 || length > bitsLen) {
			err = fmt.Errorf("prefix length %d is not between 0 and %d", length, bitsLen)
		} else if err != nil {
			err = fmt.Errorf("%q is not a prefix length", maskText)
		}
	}
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q: %w", s, err)
	}
	return netip.PrefixFrom(addr, length).Masked(), nil
}

// parseAddr parses an IP address; dotted IPv4 parts may have leading zeros,
// which Hedwig read as decimal (010 is 10).
func parseAddr(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.Addr{}, fmt.Errorf("%q has a zone; give the address without %%zone", s)
		}
		return a.Unmap(), nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
	}
	var b [4]byte
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 8)
		if err != nil || p == "" || p[0] == '+' {
			return netip.Addr{}, fmt.Errorf("%q is not an IP address", s)
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), nil
}

// netmaskLength converts a dotted netmask such as 255.255.240.0 to 20.
func netmaskLength(s string) (int, error) {
	m, err := parseAddr(s)
	if err != nil || !m.Is4() {
		return 0, fmt.Errorf("%q is not a netmask", s)
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := bits.LeadingZeros32(^v)
	if v<<ones != 0 {
		return 0, fmt.Errorf("netmask %s is not contiguous; write the network as a CIDR prefix such as 10.0.0.0/8", s)
	}
	return ones, nil
}

// localNetworks is Hedwig's default for mynetworks: 127.0.0.0/8 and the
// IPv4 network of every address not on a loopback interface. (Loopback
// IPv4 addresses are exactly those in 127.0.0.0/8, so one address dump
// is enough.)
func localNetworks() ([]netip.Prefix, error) {
	out := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return out, fmt.Errorf("list interface addresses: %w", err)
	}
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok || ipnet.IP.To4() == nil || ipnet.IP.IsLoopback() {
			continue
		}
		addr, _ := netip.AddrFromSlice(ipnet.IP.To4())
		ones, bits := ipnet.Mask.Size()
		if bits == 128 { // an IPv4 address with a 16-byte mask
			ones -= 96
		}
		if p := netip.PrefixFrom(addr, ones).Masked(); p.IsValid() && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}
