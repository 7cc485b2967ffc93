/** The id of ICE's detention statistics: the dataset's, and the one its releases and the checks over them carry. */
export const ICE_DETENTION_STATS = 'ice.detention-stats';
