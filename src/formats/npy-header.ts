/** The six bytes every .npy file starts with: \x93NUMPY. */
export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]
