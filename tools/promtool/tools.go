//go:build tools

// Package tools pins Prometheus' promtool, built by scripts/setup.sh for tests/test_alert_rules.py.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
