/* Small questions to the file system (see fsutil.h). */
#include "common/fsutil.h"

#include <sys/stat.h>

int fs_is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}
