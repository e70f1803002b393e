package container

import (
	"github.com/hedwigmail/hedwig/internal/typo"
	"sort"
	"strings"
)

// Kind says what hedwig does with a bean of a class.
type Kind int

const (
	// Infrastructure beans (Spring, log4j, ehcache, JMX, DAO plumbing) have
	// no meaning in hedwig: they are accepted with one info line, and any
	// property is allowed.
	Infrastructure Kind = iota
	// Component beans become hedwig components; their properties are checked.
	Component
)

// propType is the type a bean property must have.
type propType int

const (
	propString propType = iota
	propInt
	propBool
	propRef
	propAny // accepted and not used by hedwig (documented per class)
)

func (t propType) String() string {
	return [...]string{"string", "integer", "boolean", "bean reference", "value"}[t]
}

// Class is what hedwig knows about one Java class name.
type Class struct {
	Name string
	Kind Kind
	// Role names the hedwig component: "server", "executor", "config",
	// "datasource", "scheduler", "job", "mailet", "spool", … Empty for
	// infrastructure.
	Role string
	// Protocol and DefaultPort are set for servers.
	Protocol    string
	DefaultPort int
	// Props lists the properties a Component accepts.
	Props map[string]propType
	// Note explains, for infrastructure, why it is ignored.
	Note string
}

// serverProps are DefaultServer's setters (Hedwig's SmtpServer and
// POP3Server extend it) plus useTLS, and hedwig's own TLS and policy
// extensions.
var serverProps = map[string]propType{
	"port": propInt, "bind": propString, "bindTo": propString, "backlog": propInt,
	"connectionTimeout": propInt, "tcpNoDelay": propBool, "taskExecutor": propRef,
	"useTLS": propBool, "serverSocketFactory": propAny, "connectionHandler": propAny,
	// hedwig extensions (docs/configuration.md)
	"startTLS": propBool, "requireTLS": propBool, "clientAuth": propString,
	"authRequired": propBool, "traceProtocol": propBool,
}

var registry = map[string]*Class{}

func register(c *Class) { registry[c.Name] = c }

func infra(note string, names ...string) {
	for _, n := range names {
		register(&Class{Name: n, Kind: Infrastructure, Note: note})
	}
}

func component(name, role string, props map[string]propType) {
	register(&Class{Name: name, Kind: Component, Role: role, Props: props})
}

func server(name, proto string, port int) {
	register(&Class{Name: name, Kind: Component, Role: "server", Protocol: proto, DefaultPort: port, Props: serverProps})
}

func init() {
	server("com.hs.mail.imap.server.ImapServer", "imap", 143)
	server("com.hs.mail.smtp.server.SmtpServer", "smtp", -1)
	server("com.hs.mail.pop3.server.POP3Server", "pop3", -1)
	// hedwig's own: LMTP (RFC 2033) for a front MTA, named like Hedwig's
	// servers. Default port 24, as in /etc/services.
	server("com.hs.mail.lmtp.server.LmtpServer", "lmtp", 24)

	component("com.hs.mail.container.config.Config", "config", map[string]propType{"properties": propRef})
	// hedwig's own: the administrator's web pages (docs/operations.md).
	component(AdminServerClass, "admin", map[string]propType{
		"port": propInt, "bind": propString, "useTLS": propBool, "admins": propString,
	})
	component("org.springframework.beans.factory.config.PropertiesFactoryBean", "properties", map[string]propType{
		"location": propString, "locations": propAny, "fileEncoding": propString,
		"ignoreResourceNotFound": propBool, "localOverride": propBool, "properties": propAny, "singleton": propBool,
	})
	executorProps := map[string]propType{
		"corePoolSize": propInt, "maxPoolSize": propInt, "queueCapacity": propInt,
		"keepAliveSeconds": propInt, "allowCoreThreadTimeOut": propBool,
		"waitForTasksToCompleteOnShutdown": propBool, "awaitTerminationSeconds": propInt,
		"threadNamePrefix": propString, "threadGroupName": propString, "threadPriority": propInt,
		"daemon": propBool, "beanName": propString, "rejectedExecutionHandler": propAny,
		"threadFactory": propAny,
	}
	component("org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor", "executor", executorProps)
	component("task:executor", "executor", map[string]propType{
		"id": propString, "pool-size": propString, "queue-capacity": propInt,
		"keep-alive": propInt, "rejection-policy": propString,
	})
	dsProps := map[string]propType{
		"driverClassName": propString, "url": propString, "username": propString, "password": propString,
		"maxActive": propInt, "maxTotal": propInt, "maxIdle": propInt, "minIdle": propInt, "maxWait": propInt,
		"maxWaitMillis": propInt, "initialSize": propInt, "minEvictableIdleTimeMillis": propInt,
		"timeBetweenEvictionRunsMillis": propInt, "defaultAutoCommit": propBool, "validationQuery": propString,
		"testOnBorrow": propBool, "testOnReturn": propBool, "testWhileIdle": propBool,
		"poolPreparedStatements": propBool, "defaultReadOnly": propBool,
		"defaultTransactionIsolation": propInt, "connectionProperties": propString,
		"removeAbandoned": propBool, "removeAbandonedTimeout": propInt, "logAbandoned": propBool,
	}
	component("org.apache.commons.dbcp.BasicDataSource", "datasource", dsProps)
	component("org.apache.commons.dbcp2.BasicDataSource", "datasource", dsProps)

	component("task:scheduler", "scheduler", map[string]propType{"id": propString, "pool-size": propString})
	component("task:scheduled-tasks", "scheduled-tasks", map[string]propType{"scheduler": propRef, "tasks": propAny})
	component("task:scheduled", "scheduled", map[string]propType{
		"ref": propRef, "method": propString, "cron": propString, "fixed-delay": propInt,
		"fixed-rate": propInt, "initial-delay": propInt, "trigger": propRef,
	})
	component("com.hs.mail.imap.schedule.DiskCleanupJob", "job", map[string]propType{"mailboxManager": propRef})

	// Hedwig's own service beans: their work is done by hedwig's store,
	// spool and delivery; the beans are kept as graph nodes so refs and
	// depends-on between them still resolve and are checked.
	component("com.hs.mail.container.config.ComponentManager", "service", map[string]propType{})
	component("com.hs.mail.security.config.JaasLoginSupport", "service", map[string]propType{"location": propString})
	component("com.hs.mail.imap.user.DefaultUserManager", "service", map[string]propType{"transactionManager": propRef})
	component("com.hs.mail.imap.mailbox.DefaultMailboxManager", "service", map[string]propType{
		"transactionManager": propRef, "fetchDataCache": propRef, "headerCache": propRef,
	})
	component("com.hs.mail.imap.dao.DaoFactory", "service", map[string]propType{"dataSource": propRef})
	component("com.hs.mail.smtp.spool.SpoolRepository", "spool", map[string]propType{
		"consumers": propAny, "count": propInt, "threadCount": propInt,
	})
	component("com.hs.mail.smtp.spool.SmtpMessageConsumer", "service", map[string]propType{
		"retryDelayTime": propInt, "mailetContext": propRef, "mailets": propAny,
	})
	component("com.hs.mail.mailet.DefaultMailetContext", "service", map[string]propType{
		"userManager": propRef, "mailboxManager": propRef,
	})
	component("com.hs.mail.mailet.LocalDelivery", "mailet", map[string]propType{"mailets": propAny})
	for _, m := range []string{"AliasingForwarding", "ToRepository", "RemoteDelivery", "SpamAssassin"} {
		component("com.hs.mail.mailet."+m, "mailet", map[string]propType{})
	}
	component("com.hs.mail.dns.DnsServer", "service", map[string]propType{})

	infra("hedwig resolves ${…} placeholders itself",
		"org.springframework.beans.factory.config.PropertyPlaceholderConfigurer",
		"org.springframework.context.support.PropertySourcesPlaceholderConfigurer")
	infra("logging is configured by hedwig (zap), log4j.properties is not read",
		"org.springframework.beans.factory.config.MethodInvokingFactoryBean")
	infra("hedwig's store manages its own transactions",
		"org.springframework.jdbc.datasource.DataSourceTransactionManager")
	infra("hedwig keeps its own caches",
		"org.springframework.cache.ehcache.EhCacheManagerFactoryBean",
		"org.springframework.cache.ehcache.EhCacheFactoryBean")
	infra("the nightly job runs on hedwig's scheduler (use <task:scheduled-tasks>)",
		"org.springframework.scheduling.quartz.SchedulerFactoryBean",
		"org.springframework.scheduling.quartz.CronTriggerBean",
		"org.springframework.scheduling.quartz.JobDetailBean")
	infra("hedwig has no JMX; its admin page shows the listeners",
		"org.springframework.jmx.support.MBeanServerFactoryBean",
		"org.springframework.jmx.export.MBeanExporter",
		"org.springframework.remoting.rmi.RmiRegistryFactoryBean",
		"org.springframework.jmx.support.ConnectorServerFactoryBean")
	infra("profiling aspects are not supported", "com.hs.mail.aop.SimpleProfiler")
}

// LookupClass returns what hedwig knows of a Java class name.
func LookupClass(name string) (*Class, bool) {
	c, ok := registry[name]
	return c, ok
}

// nearestClasses returns up to n known class names closest to name: the
// simple name weighs most, since that is where typos and renamed packages
// show.
func nearestClasses(name string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for k := range registry {
		d := 2*typo.Distance(strings.ToLower(simpleName(name)), strings.ToLower(simpleName(k))) + typo.Distance(name, k)/4
		cs = append(cs, cand{k, d})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
	}
	return out
}
