/*
A hand-written file in the style of cmd/kubelet/app/options/options.go, for kubehash's tests.
*/

package options

import (
	"github.com/spf13/pflag"
)

const defaultRootDir = "/var/lib/kubelet"

// AddFlags registers the node-local flags.
func (f *KubeletFlags) AddFlags(mainfs *pflag.FlagSet) {
	fs := pflag.NewFlagSet("", pflag.ExitOnError)
	defer func() {
		mainfs.AddFlagSet(fs)
	}()

	fs.StringVar(&f.KubeletConfigFile, "config", f.KubeletConfigFile, "The Kubelet will load its initial configuration from this file.")
	fs.StringVar(&f.HostnameOverride, "hostname-override", f.HostnameOverride, "If non-empty, "+
		"will use this string as identification instead of the actual hostname.")
	fs.BoolVar(&f.AllowPrivileged, "allow-privileged", f.AllowPrivileged, "If true, allow containers to request privileged mode.")
	fs.MarkDeprecated("allow-privileged", "will be removed in a future version")
	// fs.StringVar(&f.Commented, "commented-out", "", "a comment is not a flag")
	fs.Int32Var(&f.CAdvisorPort, "cadvisor-port", f.CAdvisorPort, "The port of the localhost cAdvisor endpoint (set to 0 to disable)")
	fs.MarkDeprecated("cadvisor-port", "The default will change to 0 (disabled) in 1.12, and the cadvisor port will be removed entirely in 1.13")
	fs.BoolVar(&f.ExperimentalFailSwapOn, "experimental-fail-swap-on", true, "Makes the Kubelet fail to start if swap is enabled")
	fs.MarkDeprecated("experimental-fail-swap-on", "This flag is deprecated and will be removed in future releases. please use --fail-swap-on instead.")
	fs.StringVar(&f.Hidden, "really-hidden", "", "a hidden flag")
	fs.MarkHidden("really-hidden")
	fs.StringVar(&f.RootDirectory, "root-dir", defaultRootDir, "Directory path for managing kubelet files.")
}

// AddKubeletConfigFlags registers the flags that set KubeletConfiguration fields.
func AddKubeletConfigFlags(mainfs *pflag.FlagSet, c *kubeletconfig.KubeletConfiguration) {
	fs := pflag.NewFlagSet("", pflag.ExitOnError)
	defer func() {
		deprecated := "This parameter should be set via the config file specified by the Kubelet's --config flag."
		notDeprecated := map[string]bool{
			"v":       true,
			"vmodule": true,
		}
		fs.VisitAll(func(f *pflag.Flag) {
			if notDeprecated[f.Name] {
				return
			}
			f.Deprecated = deprecated
		})
		mainfs.AddFlagSet(fs)
	}()

	fs.BoolVar(&c.Authentication.Anonymous.Enabled, "anonymous-auth", c.Authentication.Anonymous.Enabled, ""+
		"Enables anonymous requests to the Kubelet server.")
	fs.DurationVar(&c.SyncFrequency.Duration, "sync-frequency", c.SyncFrequency.Duration, "Max period between synchronizing running containers and config")
	fs.Var(cliflag.NewLangleSeparatedMapStringString(&c.EvictionHard), "eviction-hard", "A set of eviction thresholds")
	fs.StringVar((*string)(&c.Authorization.Mode), "authorization-mode", string(c.Authorization.Mode), "Authorization mode for Kubelet server.")
	fs.VarP(&c.Verbosity, "v", "v", "number for the log level verbosity")
	fs.Var(&c.VModule, "vmodule", "comma-separated list of pattern=N settings")
	utilfeature.DefaultMutableFeatureGate.AddFlag(fs)
	fs.Var(fmtValue{}, fmt.Sprintf("computed-%d", 1), "a name kubehash cannot resolve is skipped")
}
