package beans_test

import (
	"fmt"

	"github.com/hedwigmail/hedwig/beans"
)

func ExampleLoad() {
	defs, problems := beans.Load("testdata/hedwig-0.7/conf/applicationContext.xml", beans.Options{})
	if err := problems.Err(); err != nil {
		fmt.Println(err) // every error, one per line, as file:line: bean "x": ...
		return
	}
	ds := defs.Bean("dataSource")
	fmt.Println(ds.Pos.Line, ds.Class)
	fmt.Println(ds.Property("url").Value.Text)
	fmt.Println(defs.Bean("smtp.consumer").Refs())
	// Output:
	// 73 org.apache.commons.dbcp.BasicDataSource
	// jdbc:oracle:thin:@127.0.0.1:1521:XE
	// [mailetContext deliver.local deliver.remote]
}
