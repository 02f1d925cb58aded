package pipeline

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds of the numeric options checked here. Row groups are capped well
// under 2 GiB because Arrow string columns use 32-bit offsets: a larger
// group cannot be built, and the shift to bytes would overflow long before
// int64 does.
const (
	maxRowGroupMB = 1024
	minZstdLevel  = 1
	maxZstdLevel  = 22
)

// nonFiniteErrors reports every float written as NaN or ±Inf anywhere in
// the config, with its key and position. No option of curate means
// anything with them; worse, they pass "must be positive" checks (NaN
// compares false) and then break JSON hashing of the config at run time.
func (c *Config) nonFiniteErrors() ConfigErrors {
	var errs ConfigErrors
	var walk func(n *yaml.Node, key string)
	walk = func(n *yaml.Node, key string) {
		if n == nil {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			if n.ShortTag() == "!!float" && isNonFinite(n.Value) {
				msg := fmt.Sprintf("%s must be a finite number, got %s", key, n.Value)
				if key == "" {
					msg = fmt.Sprintf("a finite number is needed, got %s", n.Value)
				}
				errs = append(errs, &ConfigError{File: c.path, Line: n.Line, Col: n.Column, Msg: msg})
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], n.Content[i].Value)
			}
		default:
			for _, ch := range n.Content {
				walk(ch, key)
			}
		}
	}
	walk(c.root, "")
	return errs
}

func isNonFinite(v string) bool {
	switch strings.ToLower(strings.TrimLeft(v, "+-")) {
	case ".nan", ".inf":
		return true
	}
	return false
}

// numericErrors checks the ranges of the run-level numeric options and the
// per-source ones the kind blocks do not own.
func (c *Config) numericErrors() ConfigErrors {
	var errs ConfigErrors
	if p := c.Parquet.RowGroupMB; p > maxRowGroupMB {
		errs = append(errs, c.errAt(fmt.Sprintf("parquet.row_group_mb must be at most %d (Arrow string columns hold under 2 GiB), got %d", maxRowGroupMB, p), "parquet", "row_group_mb"))
	}
	if z := c.Parquet.ZstdLevel; z < minZstdLevel || z > maxZstdLevel {
		errs = append(errs, c.errAt(fmt.Sprintf("parquet.zstd_level must be %d to %d, got %d", minZstdLevel, maxZstdLevel, z), "parquet", "zstd_level"))
	}
	for i := range c.Sources {
		if m := c.Sources[i].MinChars; m < 0 {
			errs = append(errs, c.errAt(fmt.Sprintf("min_chars must be 0 or more, got %d", m), "sources", i, "min_chars"))
		}
	}
	return errs
}
