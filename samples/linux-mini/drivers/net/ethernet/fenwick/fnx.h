/* SPDX-License-Identifier: GPL-2.0 */
/* Fenwick FNX-10G Ethernet driver - shared definitions */
#ifndef _FNX_H_
#define _FNX_H_

#include <linux/netdevice.h>
#include <linux/pci.h>

#define FNX_DRV_NAME		"fnx"

#define FNX_MIN_VECS		2	/* misc + one queue pair */
#define FNX_MAX_VECS		9	/* misc + eight queue pairs */

#define FNX_REG_CTRL		0x0000
#define FNX_REG_IRQ_CAUSE	0x0100
#define FNX_REG_IRQ_MASK	0x0104
#define FNX_CTRL_RESET		BIT(0)

struct fnx_priv;

struct fnx_q_vector {
	struct fnx_priv		*priv;
	struct napi_struct	napi;
	unsigned int		idx;
	char			name[IFNAMSIZ + 8];
};

struct fnx_priv {
	struct pci_dev		*pdev;
	struct net_device	*netdev;
	void __iomem		*hw;
	struct dentry		*dbg_dir;
	unsigned int		num_q_vectors;
	struct fnx_q_vector	q_vector[FNX_MAX_VECS - 1];
};

int fnx_irq_init(struct fnx_priv *priv);

#ifdef CONFIG_DEBUG_FS
void fnx_debugfs_init(struct fnx_priv *priv);
void fnx_debugfs_exit(struct fnx_priv *priv);
#else
static inline void fnx_debugfs_init(struct fnx_priv *priv) { }
static inline void fnx_debugfs_exit(struct fnx_priv *priv) { }
#endif

#endif /* _FNX_H_ */
