package container

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/hedwigmail/hedwig/diag"
)

// Servers returns the listener components in start order.
func (c *Container) Servers() []*Server {
	var out []*Server
	for _, inst := range c.Instances() {
		if s, ok := inst.Value.(*Server); ok {
			out = append(out, s)
		}
	}
	return out
}

// WriteReport prints what `hedwig check` shows: one row per listener, then
// every problem found, errors first. It returns the number of errors.
func (c *Container) WriteReport(w io.Writer) int {
	servers := c.Servers()
	if len(servers) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "BEAN\tPROTOCOL\tADDRESS\tTLS\tEXECUTOR\tCERTIFICATE\tEXPIRES")
		for _, s := range servers {
			ex := s.Executor
			if ex == "" {
				ex = "(own)"
			}
			subj, exp := "-", "-"
			if s.TLS != nil && s.TLSMode.String() != "none" {
				subj, exp = s.TLS.Subject, s.TLS.Expires
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Protocol, s.Addr, s.TLSMode, ex, subj, exp)
		}
		for _, inst := range c.Instances() {
			if a, ok := inst.Value.(*AdminServer); ok {
				proto, mode := "http", "none"
				if a.TLS {
					proto, mode = "https", "implicit TLS"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t(own)\t-\t-\n", a.ID, proto, a.Addr, mode)
			}
		}
		tw.Flush()
	}
	errs := 0
	for _, sev := range []diag.Severity{diag.Error, diag.Warning, diag.Info} {
		for _, p := range c.Problems.Filter(sev) {
			if sev == diag.Error {
				errs++
			}
			fmt.Fprintf(w, "%s: %s\n", sev, p.Error())
		}
	}
	return errs
}
