// Command startup measures how long `hedwig serve` takes from exec until
// every listener of a configuration accepts TCP connections.
//
//	go build -o /tmp/hedwig ./cmd/hedwig
//	go run ./bench/startup -hedwig /tmp/hedwig -c conf/applicationContext.xml -n 20
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("hedwig", "bin/hedwig", "hedwig binary")
	conf := flag.String("c", "conf/applicationContext.xml", "configuration to serve")
	offset := flag.Int("port-offset", 0, "passed to hedwig")
	n := flag.Int("n", 10, "runs")
	flag.Parse()

	addrs, err := listenerAddrs(*bin, *conf, *offset)
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
	var times []time.Duration
	for i := 0; i < *n; i++ {
		d, err := once(*bin, *conf, *offset, addrs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		times = append(times, d)
	}
	slices.Sort(times)
	fmt.Printf("%d listeners, %d runs: min %v, median %v, max %v\n", len(addrs), len(times),
		times[0].Round(time.Millisecond/10), times[len(times)/2].Round(time.Millisecond/10), times[len(times)-1].Round(time.Millisecond/10))
}

// listenerAddrs asks `hedwig check` for the listener addresses.
func listenerAddrs(bin, conf string, offset int) ([]string, error) {
	out, err := exec.Command(bin, "check", "-c", conf, "--port-offset", fmt.Sprint(offset)).Output()
	if err != nil {
		return nil, fmt.Errorf("hedwig check: %v\n%s", err, out)
	}
	var addrs []string
	for _, m := range regexp.MustCompile(`(?m)^\S+\s+\S+\s+\S*:(\d+)\s`).FindAllSubmatch(out, -1) {
		addrs = append(addrs, "127.0.0.1:"+string(m[1]))
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("no listeners in:\n%s", out)
	}
	return addrs, nil
}

func once(bin, conf string, offset int, addrs []string) (time.Duration, error) {
	cmd := exec.Command(bin, "serve", "-c", conf, "--port-offset", fmt.Sprint(offset), "-log-level", "warn")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	deadline := start.Add(10 * time.Second)
	for _, a := range addrs {
		for {
			c, err := net.DialTimeout("tcp", a, 100*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				return 0, fmt.Errorf("%s not accepting after 10 s: %v\n%s", a, err, stderr.String())
			}
			time.Sleep(500 * time.Microsecond)
		}
	}
	return time.Since(start), nil
}
