package typo

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"port", "port", 0}, {"prot", "port", 2}, {"usTLS", "useTLS", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestNearest(t *testing.T) {
	words := []string{"port", "bind", "useTLS", "taskExecutor"}
	if got := Nearest("usetls", words, 3); got != "useTLS" {
		t.Errorf("Nearest(usetls) = %q", got)
	}
	if got := Nearest("taskExecuter", words, 3); got != "taskExecutor" {
		t.Errorf("Nearest(taskExecuter) = %q", got)
	}
	if got := Nearest("certificate", words, 3); got != "" {
		t.Errorf("Nearest(certificate) = %q, want none", got)
	}
}
