// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nairn NV-2 vDPA DPU: firmware configuration block
 */
#include <linux/io.h>

#include "nairn.h"

#define NAIRN_CFG_FLAGS		0x00
#define NAIRN_CFG_NR_VQS	0x04

int nairn_read_cfg(struct nairn_pf *pf)
{
	pf->cfg.flags = readl(pf->bar + NAIRN_CFG_FLAGS);
	pf->cfg.nr_vqs = readl(pf->bar + NAIRN_CFG_NR_VQS);

	return pf->cfg.nr_vqs ? 0 : -ENODEV;
}

void nairn_free_cfg(struct nairn_cfg *cfg)
{
	cfg->flags = 0;
	cfg->nr_vqs = 0;
}
