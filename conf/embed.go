package conf

import "embed"

// Shipped is the default configuration that ships with hedwig
// (applicationContext.xml and default.properties), embedded so that the
// binary can set up a working configuration on a machine with nothing else.
//
//go:embed applicationContext.xml default.properties
var Shipped embed.FS
