// SPDX-License-Identifier: GPL-2.0
/* Fenwick FNX-10G Ethernet driver - debugfs */
#include <linux/debugfs.h>

#include "fnx.h"

void fnx_debugfs_init(struct fnx_priv *priv)
{
	priv->dbg_dir = debugfs_create_dir(pci_name(priv->pdev), NULL);
	debugfs_create_u32("num_q_vectors", 0400, priv->dbg_dir, &priv->num_q_vectors);
}

void fnx_debugfs_exit(struct fnx_priv *priv)
{
	debugfs_remove_recursive(priv->dbg_dir);
}
