/*
A hand-written file in the style of k8s.io/klog's InitFlags and verflag, for kubehash's tests.
*/

package klog

const versionFlagName = "version"

func InitFlags(flagset *flag.FlagSet) {
	flagset.StringVar(&logging.logDir, "log_dir", "", "If non-empty, write log files in this directory")
	flagset.BoolVar(&logging.toStderr, "logtostderr", true, "log to standard error instead of files")
	flagset.Var(&logging.verbosity, "v", "number for the log level verbosity")
	flagset.Var(&logging.traceLocation, "log_backtrace_at", "when logging hits line file:N, emit a stack trace")
}

var versionFlag = Version(versionFlagName, VersionFalse, "Print version information and quit")
