package webapp

import (
	"fmt"
	"math"
	"net/http"
	"time"
)

// expiringWithin is how early a certificate's coming expiry is flagged.
const expiringWithin = 30 * 24 * time.Hour

// listenerRow is one line of the listeners table.
type listenerRow struct {
	Listener
	Cert *certificateView
}

// certificateView is a certificate with its expiry said for people.
type certificateView struct {
	Certificate
	Expiry string // the date, UTC
	Left   string // "12 days left", "expired 3 days ago"
	Class  string // "expired", "expiring" or ""
}

func (s *Server) listenersPage(w http.ResponseWriter, r *http.Request, sess session) {
	now := s.now()
	var rows []listenerRow
	for _, l := range s.cfg.Source.Listeners() {
		row := listenerRow{Listener: l}
		if l.Certificate != nil {
			row.Cert = describeCertificate(*l.Certificate, now)
		}
		rows = append(rows, row)
	}
	s.render(w, http.StatusOK, "listeners", s.view(&sess, "Listeners", "listeners", rows))
}

// describeCertificate says how long c remains valid at now. Days are whole
// days, rounded down while valid and up once expired, so that "0 days left"
// means less than a day and "expired 0 days ago" never appears.
func describeCertificate(c Certificate, now time.Time) *certificateView {
	v := &certificateView{Certificate: c, Expiry: c.NotAfter.UTC().Format("2006-01-02 15:04 MST")}
	left := c.NotAfter.Sub(now)
	switch {
	case left < 0:
		days := int(math.Ceil(-left.Hours() / 24))
		v.Class, v.Left = "expired", fmt.Sprintf("expired %s ago", plural(days, "day"))
	case left < expiringWithin:
		v.Class, v.Left = "expiring", plural(int(left.Hours()/24), "day")+" left"
	default:
		v.Left = plural(int(left.Hours()/24), "day") + " left"
	}
	return v
}

func plural(n int, unit string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
