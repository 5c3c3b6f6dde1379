/*
A hand-written file in the style of k8s.io/kubelet/config/v1beta1/types.go, for kubehash's tests.
*/

package v1beta1

// KubeletConfiguration contains the configuration for the Kubelet
type KubeletConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	// staticPodPath is the path to the directory containing local (static) pods.
	StaticPodPath string `json:"staticPodPath,omitempty"`
	// syncFrequency is the max period between synchronizing running containers and config.
	SyncFrequency metav1.Duration `json:"syncFrequency,omitempty"`
	// authentication specifies how requests to the Kubelet's server are authenticated.
	Authentication KubeletAuthentication `json:"authentication"`
	// evictionHard is a map of signal names to quantities that defines hard eviction thresholds.
	EvictionHard map[string]string `json:"evictionHard,omitempty"`
	// reservedMemory specifies a comma-separated list of memory reservations for NUMA nodes.
	ReservedMemory []MemoryReservation `json:"reservedMemory,omitempty"`
	// Deprecated: use the cpu manager policy options instead.
	// oldKnob is kept for tests.
	OldKnob *bool `json:"oldKnob,omitempty"`
	// an ignored field
	Internal string `json:"-"`
}

type KubeletAuthentication struct {
	// anonymous configures anonymous authentication.
	Anonymous KubeletAnonymousAuthentication `json:"anonymous"`
}

type KubeletAnonymousAuthentication struct {
	Enabled *bool `json:"enabled,omitempty"`
}

type MemoryReservation struct {
	NumaNode int32           `json:"numaNode"`
	Limits   v1.ResourceList `json:"limits"`
}
