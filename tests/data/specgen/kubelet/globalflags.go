/*
A hand-written file in the style of cmd/kubelet/app/options/globalflags*.go, for kubehash's tests.
*/

package options

const deprecated = "This is a cadvisor flag that was mistakenly registered with the Kubelet."

func addCadvisorFlags(fs *pflag.FlagSet) {
	global := flag.CommandLine
	local := pflag.NewFlagSet(os.Args[0], pflag.ExitOnError)

	register(global, local, "housekeeping_interval")
	registerDeprecated(global, local, "docker_root", deprecated)
	pflagRegister(pflag.CommandLine, local, "azure-container-registry-config")

	fs.AddFlagSet(local)
}

func register(global *flag.FlagSet, local *pflag.FlagSet, globalName string) {
	// the helper itself registers nothing by name
}
