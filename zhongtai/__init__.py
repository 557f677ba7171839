"""zhongtai package."""
