package security_test

import (
	"fmt"

	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/security"
)

// A listener's TLS from Hedwig's three keys: the keystore's format is
// detected, the passwords are tried both ways round, and the problems say
// where they come from.
func ExampleServerConfig() {
	store, problems := security.NewCertStore(security.Settings{
		Keystore:  "testdata/keystores/james-keypass.jks",
		StorePass: "keypass1", // swapped, as Hedwig 0.7 passed them
		KeyPass:   "storepass1",
		Origin:    diag.Pos{File: "conf/default.properties", Line: 31},
		Names:     security.SettingNames{Keystore: "tls_keystore", StorePass: "tls_storepass", KeyPass: "tls_keypass"},
	})
	if store == nil {
		fmt.Println(problems.Err())
		return
	}
	cfg, err := security.ServerConfig(security.ServerOptions{Certificates: store, DisableSessionTickets: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(problems.Filter(diag.Info)[0].Subject)
	fmt.Println(store.Summaries()[0].KeyType, security.ProtocolName(cfg.MinVersion), security.ProtocolName(cfg.MaxVersion))
	// Output:
	// tls_keypass
	// RSA 2048 TLSv1.2 TLSv1.3
}
