// Package beans reads Spring XML bean definition files the way Spring 3
// reads Hedwig's applicationContext.xml, and stops at definitions: each
// bean, property and value with the file and line it came from, and
// ${...} placeholders resolved. Making objects of them is another
// package's job.
//
// # What is read
//
// The beans namespace (with or without xmlns, so DTD-style files work
// too): <bean> with all its attributes, <property>, <constructor-arg>,
// <value>, <ref bean|local>, <idref>, <null/>, <list>, <set>, <array>,
// <map>/<entry>/<key>, <props>/<prop>, inner beans anywhere a value goes,
// <alias>, <import>, <description> and nested <beans> (a profile other
// than "default" is skipped: hedwig activates none). The p: and c:
// shortcut namespaces become properties and constructor arguments. The
// task namespace becomes beans of the pseudo-classes ClassTaskScheduler,
// ClassTaskExecutor and ClassTaskScheduledTasks (whose "tasks" list holds
// ClassTaskScheduled inner beans), attributes as literal properties and
// ref/scheduler/trigger as refs, so a graph sees their edges.
// <context:property-placeholder> becomes the PropertyPlaceholderConfigurer
// Spring makes of it. Comments are ignored, so a commented-out bean does
// not exist, which is how Hedwig users switch servers off. Any other
// namespace (aop, tx, context:annotation-config, ...) is skipped with an
// Info.
//
// # Names
//
// As in Spring: a bean is registered under its id, else the first of its
// names; the other names and <alias> elements become aliases. An unnamed
// top-level bean is named "<class>#<n>" and, the first of its class, gets
// the class name as an alias. A name used twice in one file is an error
// naming both lines. A name redefined by a later file overrides the
// earlier definition (Spring's default), with a warning.
//
// # Placeholders
//
// Every top-level PropertyPlaceholderConfigurer (and
// PropertySourcesPlaceholderConfigurer) is honoured: location/locations
// (file:, classpath: against the root file's directory, plain paths
// against app.home), inline properties or a PropertiesFactoryBean,
// ignoreUnresolvablePlaceholders, ignoreResourceNotFound, localOverride,
// systemPropertiesMode(Name), searchSystemEnvironment,
// placeholderPrefix/Suffix, valueSeparator, nullValue, fileEncoding and
// order. Like Spring, each configurer in order resolves class, parent,
// factory-bean, factory-method, scope, every value (refs, map keys and
// inner beans included) and aliases, but not ids, depends-on or
// init/destroy methods. ${name:default} and nested ${a.${b}} work;
// properties files come first, then Java system properties (app.home is
// the parent of the directory holding the root file, as Hedwig's launcher
// sets it) and the environment. Locations and imports see only system
// properties and the environment, because Spring reads them before any
// configurer runs.
//
// # Problems
//
// Load reports every problem it finds, not only the first, in a
// diag.List whose entries read "file:line: bean "x": property "y": ...",
// and always returns what it could read. Malformed XML is an error at the
// line the XML decoder stopped at.
package beans
